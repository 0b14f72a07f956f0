import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import type { CircuitSnapshot } from '../../src/core/types.js';
import { createControlHandler } from '../../src/metrics/control-handler.js';
import { CircuitRegistry, type ControlEvent } from '../../src/registry/circuit-registry.js';
import { MemoryStateStore } from '../../src/storage/memory-state-store.js';
import { listen, type RunningServer } from './http-server.js';

const TOKEN = 'test-token-0123456789abcdef';
const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(registry: CircuitRegistry): Promise<string> {
  const server = await listen(createControlHandler(registry, { token: TOKEN, maxBodyBytes: 256 }));
  servers.push(server);
  return server.url;
}

interface Sent {
  method?: string;
  token?: string | null;
  type?: string;
  body?: string;
}

async function send(url: string, s: Sent = {}): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { 'content-type': s.type ?? 'application/json' };
  if (s.token !== null) headers.authorization = `Bearer ${s.token ?? TOKEN}`;
  const res = await fetch(url, {
    method: s.method ?? 'POST',
    headers,
    body: s.method === 'GET' ? undefined : (s.body ?? '{}'),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

const act = (circuit: string, action: string) => JSON.stringify({ circuit, action });

describe('createControlHandler', () => {
  it('force-opens, disables and resets a circuit, telling onControl listeners', async () => {
    const registry = new CircuitRegistry();
    registry.get('pay');
    const events: ControlEvent[] = [];
    registry.onControl((e) => events.push(e));
    const url = await serve(registry);
    for (const [action, state] of [
      ['force-open', 'forced-open'],
      ['disable', 'disabled'],
      ['reset', 'closed'],
    ] as const) {
      const r = await send(url, { body: act('pay', action) });
      expect(r.status).toBe(200);
      expect((r.json as CircuitSnapshot).state).toBe(state);
      expect(registry.get('pay').state).toBe(state);
    }
    expect(events.map((e) => [e.name, e.action, e.state])).toEqual([
      ['pay', 'force-open', 'forced-open'],
      ['pay', 'disable', 'disabled'],
      ['pay', 'reset', 'closed'],
    ]);
  });

  it('acts for the whole fleet when a store is attached', async () => {
    const store = new MemoryStateStore();
    const here = new CircuitRegistry({ store });
    const elsewhere = new CircuitRegistry({ store });
    here.get('pay');
    elsewhere.get('pay');
    const url = await serve(here);
    expect((await send(url, { body: act('pay', 'force-open') })).status).toBe(200);
    expect(elsewhere.get('pay').state).toBe('forced-open');
    expect((await send(url, { body: act('pay', 'reset') })).status).toBe(200);
    expect(elsewhere.get('pay').state).toBe('closed');
  });

  it('refuses requests without the exact token, before reading the body', async () => {
    const registry = new CircuitRegistry();
    registry.get('pay');
    const url = await serve(registry);
    const body = act('pay', 'force-open');
    for (const token of [null, '', TOKEN.slice(0, -1), `${TOKEN.slice(0, -1)}X`, `${TOKEN}X`]) {
      const r = await send(url, { token, body });
      expect(r.status).toBe(401);
    }
    const wrongScheme = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Basic ${TOKEN}`, 'content-type': 'application/json' },
      body,
    });
    expect(wrongScheme.status).toBe(401);
    expect(wrongScheme.headers.get('www-authenticate')).toBe('Bearer');
    expect(registry.get('pay').state).toBe('closed');
  });

  it('serves POST only, and grants no CORS preflight', async () => {
    const url = await serve(new CircuitRegistry());
    for (const method of ['GET', 'PUT', 'OPTIONS']) {
      const res = await fetch(url, { method, headers: { origin: 'https://evil.example' } });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('refuses bodies that are not JSON, too large or malformed, and unknown circuits', async () => {
    const registry = new CircuitRegistry();
    registry.get('pay');
    const url = await serve(registry);
    const cases: Array<[Sent, number]> = [
      [{ type: 'text/plain', body: act('pay', 'reset') }, 415],
      [{ type: 'application/x-www-form-urlencoded', body: 'circuit=pay' }, 415],
      [{ body: 'x'.repeat(300) }, 413],
      [{ body: '{not json' }, 400],
      [{ body: act('pay', 'explode') }, 400],
      [{ body: '{"circuit":["pay"],"action":"reset"}' }, 400],
      [{ body: '{"__proto__":{"action":"reset"},"circuit":"pay"}' }, 400],
      [{ body: act('nobody', 'force-open') }, 404],
    ];
    for (const [sent, status] of cases) expect((await send(url, sent)).status).toBe(status);
    expect(registry.size).toBe(1);
    expect(registry.get('pay').state).toBe('closed');
  });

  it('rejects weak tokens and bad options with ConfigError, never echoing the token', () => {
    const registry = new CircuitRegistry();
    expect(() => createControlHandler(registry, { token: 'short' })).toThrow(ConfigError);
    expect(() => createControlHandler(registry, { token: 'short' })).not.toThrow(/short/);
    expect(() => createControlHandler(registry, { token: 'has spaces in it, 1234' })).toThrow(
      'token must be',
    );
    expect(() => createControlHandler(registry, undefined as never)).toThrow(ConfigError);
    expect(() => createControlHandler({} as never, { token: TOKEN })).toThrow(
      'registry must be a CircuitRegistry',
    );
    expect(() => createControlHandler(registry, { token: TOKEN, maxBodyBytes: NaN })).toThrow(
      'maxBodyBytes must be an integer in [64, 1048576]; got NaN',
    );
  });
});
