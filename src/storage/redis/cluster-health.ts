/**
 * What the link does differently on an ioredis `Cluster`. There the client stays `ready` while
 * one master is dead (its slots unserved until a replica is promoted), and a PING answers from
 * whichever node it reaches, so neither tells that the store's commands will work again.
 *
 * - Whether Redis is usable again: `CLUSTER INFO` must say `cluster_state:ok` (every slot
 *   served; a master marked failed and not yet replaced makes it `fail`), and every master in
 *   the client's slot map must answer a PING (a master just killed is not marked failed before
 *   the cluster's node timeout).
 * - When a command fails or times out, the client's slot map may be stale (a replica promoted,
 *   a slot moved): ask it to re-read the map at once (ioredis ignores the request while one is
 *   under way) rather than wait for its periodic refresh (`slotsRefreshInterval`, 5 s).
 */
import type { Cluster } from 'ioredis';
import type { RedisClient } from './options.js';

/**
 * Resolves true when `client` answers and, on a Cluster, every slot is served. On a Cluster the
 * check gives up after `timeoutMs` (false): its commands may reach a dead node and wait there.
 */
export async function usable(client: RedisClient, timeoutMs: number): Promise<boolean> {
  if (!client.isCluster) {
    await client.ping();
    return true;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref?.();
  });
  const cluster = client as Cluster;
  const check = (async () => {
    const info = String(await cluster.cluster('INFO'));
    if (!info.includes('cluster_state:ok')) return false;
    // Failure detection takes the cluster's node timeout: until then a dead master is still
    // "ok" to the others, so each master the client routes slots to must answer itself.
    const routed = new Set(cluster.slots.map((owners) => owners[0]));
    const byKey = new Map(cluster.nodes('master').map((n) => [nodeKey(n), n]));
    for (const key of routed) if (key === undefined || !byKey.has(key)) return false;
    await Promise.all([...routed].map((key) => byKey.get(key!)!.ping()));
    return true;
  })();
  check.catch(() => {});
  try {
    const ok = await Promise.race([check, gaveUp]);
    if (!ok) refreshTopology(client);
    return ok;
  } finally {
    clearTimeout(timer);
  }
}

/** On a Cluster, re-reads the slot map now (a failed command may have met a stale one). */
export function refreshTopology(client: RedisClient): void {
  if (!client.isCluster) return;
  try {
    (client as Cluster).refreshSlotsCache(() => {});
  } catch {
    // a client being closed: nothing to refresh
  }
}

/** How ioredis names a node in its slot map: `host:port`. */
function nodeKey(n: { options: { host?: string; port?: number } }): string {
  return `${n.options.host}:${n.options.port}`;
}
