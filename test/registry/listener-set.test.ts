import { describe, expect, it } from 'vitest';
import { ListenerSet } from '../../src/registry/listener-set.js';

describe('ListenerSet', () => {
  it('is active while it holds a listener', () => {
    const set = new ListenerSet<number>();
    expect(set.active).toBe(false);
    const handle = set.add(() => {});
    expect(set.active).toBe(true);
    handle.dispose();
    expect(set.active).toBe(false);
  });

  it('rejects a listener that is not a function', () => {
    expect(() => new ListenerSet<number>().add(5 as never)).toThrow(
      new TypeError('listener must be a function'),
    );
  });

  it('removes only the disposed listener', () => {
    const set = new ListenerSet<number>();
    const heard: string[] = [];
    const first = set.add((n) => heard.push(`first ${n}`));
    set.add((n) => heard.push(`second ${n}`));
    set.emit(1);
    first.dispose();
    set.emit(2);
    expect(heard).toEqual(['first 1', 'second 1', 'second 2']);
  });
});
