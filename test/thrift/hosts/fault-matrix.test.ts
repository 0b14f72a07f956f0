/**
 * The multi-host Thrift client against real servers, one host sick at a time, for both generated
 * styles: round robin; a hung, black-holed, slow or killed host is ejected and idempotent calls
 * fail over; a refused host is skipped; storms of application errors and declared exceptions
 * eject nobody; the method circuit stays closed while one host is sick.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closedPort } from '../helpers/clients.js';
import { expectHandlesClosed } from '../helpers/handles.js';
import type { ClientStyle } from '../helpers/generated.js';
import { hang, ok, slow } from '../helpers/catalog-server.js';
import {
  addresses,
  blackHole,
  calls,
  cleanup,
  counts,
  hostsClient,
  servers,
  until,
} from './pool.js';

expectHandlesClosed();
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const idempotent = { methods: { getItem: { idempotent: true } } } as const;
const ejected = (c: { hosts(): Array<{ ejected: boolean }> }) =>
  c.hosts().filter((h) => h.ejected).length;

for (const style of ['es6', 'callback'] as const satisfies readonly ClientStyle[]) {
  describe(`hosts client, ${style}-style`, () => {
    it('spreads calls evenly over healthy hosts, round robin', async () => {
      const s = await servers(3);
      const { client } = hostsClient(addresses(s), {}, style);
      await until(() => client.hosts().every((h) => h.connected));
      expect(await calls(client, 30)).toBe(30);
      expect(counts(s)).toEqual([10, 10, 10]);
    });

    it('ejects a hung host; idempotent calls fail over, none fails, the method circuit stays closed', async () => {
      const s = await servers(3);
      const { client, registry } = hostsClient(
        addresses(s),
        { ...idempotent, defaults: { timeoutMs: 600 } },
        style,
      );
      await until(() => client.hosts().every((h) => h.connected));
      s[1]!.set(hang);
      expect(await calls(client, 30)).toBe(30);
      expect(client.hosts()[1]).toMatchObject({ ejected: true, state: 'open' });
      const before = s[1]!.count('getItem');
      expect(await calls(client, 20)).toBe(20);
      expect(s[1]!.count('getItem')).toBe(before);
      expect(registry.find('Catalog/getItem')?.state).toBe('closed');
    });

    it('ejects a black-holed host (accepts, never answers)', async () => {
      const s = await servers(2);
      const hole = await blackHole();
      const { client } = hostsClient(
        addresses([s[0]!, hole, s[1]!]),
        { ...idempotent, defaults: { timeoutMs: 600 } },
        style,
      );
      await until(() => client.hosts().every((h) => h.connected));
      expect(await calls(client, 30)).toBe(30);
      expect(client.hosts()[1]!.ejected).toBe(true);
    });

    it('ejects a slow host through the in-flight slow-call rate', async () => {
      const s = await servers(3);
      const { client } = hostsClient(
        addresses(s),
        { endpoint: { circuit: { slowCallMs: 100 } }, defaults: { timeoutMs: 2_000 } },
        style,
      );
      await until(() => client.hosts().every((h) => h.connected));
      s[2]!.set(slow(300));
      await Promise.all(Array.from({ length: 30 }, () => client.getItem!('a')));
      expect(client.hosts()[2]).toMatchObject({ ejected: true });
    });

    it('skips a host that refuses connections: no call fails', async () => {
      const s = await servers(2);
      const { client } = hostsClient(
        addresses([s[0]!, await closedPort(), s[1]!]),
        idempotent,
        style,
      );
      await until(() => client.hosts()[0]!.connected && client.hosts()[2]!.connected);
      expect(await calls(client, 20)).toBe(20);
      expect(client.hosts()[1]!.connected).toBe(false);
    });

    it('fails an idempotent call over to another host when its host is killed mid-call', async () => {
      const s = await servers(2);
      const { client } = hostsClient(addresses(s), idempotent, style);
      await until(() => client.hosts().every((h) => h.connected));
      s[0]!.set({ kind: 'close' });
      s[1]!.set(ok);
      const r = await Promise.allSettled([client.getItem!('a'), client.getItem!('b')]);
      expect(r.map((x) => x.status)).toEqual(['fulfilled', 'fulfilled']);
      // A method that is not idempotent is not sent twice.
      s[1]!.set({ kind: 'close' });
      s[0]!.set(ok);
      await until(() => client.hosts().every((h) => h.connected));
      const writes = await Promise.allSettled([
        client.putItem!({ id: 'x', name: 'x' }),
        client.putItem!({ id: 'y', name: 'y' }),
      ]);
      expect(writes.filter((w) => w.status === 'rejected')).toHaveLength(1);
      expect(s[0]!.count('putItem') + s[1]!.count('putItem')).toBe(2);
    });

    it('ejects nobody on storms of application errors and declared exceptions', async () => {
      const s = await servers(3);
      const { client, registry } = hostsClient(addresses(s), idempotent, style);
      await until(() => client.hosts().every((h) => h.connected));
      s[0]!.set({ kind: 'declared' });
      s[1]!.set({ kind: 'fail' });
      await calls(client, 60);
      expect(ejected(client)).toBe(0);
      expect(client.hosts().map((h) => h.state)).toEqual(['closed', 'closed', 'closed']);
      // Application errors are the method's failures: its circuit decides.
      expect(registry.find('Catalog/getItem')?.snapshot().counts.failures).toBeGreaterThan(0);
    });
  });
}
