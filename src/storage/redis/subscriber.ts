/**
 * The store's subscription to its channel, on its own connection: `client.duplicate()`, which
 * for an ioredis `Cluster` is a Cluster too (and for a Sentinel-managed client asks the
 * sentinels for the master, as the client does).
 *
 * Transitions are published with a plain PUBLISH, which Redis Cluster forwards to every node
 * over its bus, so one subscription on any node hears every circuit's transitions.
 *
 * Transitions published while not subscribed are missed, so `subscribed` is told after every
 * (re)subscription and the store then re-reads its circuits. A single client re-subscribes on
 * each `ready`. A Cluster's subscriber moves to another node by itself when its node fails or
 * leaves (no `ready` then): when the subscriber's node set changes (`+node`/`-node`) the store
 * is told again after `SETTLE_MS`, once the move is done — one unref'd timer per store.
 */
import type { RedisClient } from './options.js';

const SETTLE_MS = 300;

/** A subscription opened by `subscribe`; `close()` disconnects its connection. */
export interface Subscription {
  close(): void;
}

/**
 * Subscribes a duplicate of `client` to `channel`.
 * @param received called with every message on the channel
 * @param subscribed called whenever messages may have been missed and are heard again
 */
export function subscribe(
  client: RedisClient,
  channel: string,
  received: (message: string) => void,
  subscribed: () => void,
): Subscription {
  // Both kinds have duplicate(); TypeScript cannot call the union of their signatures.
  const subscriber = (client as { duplicate(): RedisClient }).duplicate();
  let closed = false;
  let settle: ReturnType<typeof setTimeout> | undefined;
  subscriber.on('error', () => {}); // its outages are the client's too, reported by the link
  subscriber.on('message', (ch: string, message: string) => {
    if (ch === channel) received(message);
  });
  // On every (re)connection: subscribe (again, even without autoResubscribe), then re-read.
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => !closed && subscribed(),
      () => {},
    );
  });
  if (subscriber.isCluster) {
    const changed = () => {
      if (closed || settle) return;
      settle = setTimeout(() => {
        settle = undefined;
        if (!closed && subscriber.status === 'ready') subscribed();
      }, SETTLE_MS);
      settle.unref?.();
    };
    subscriber.on('-node', changed);
    subscriber.on('+node', changed);
  }
  if (subscriber.status === 'wait') subscriber.connect().catch(() => {});
  return {
    close: () => {
      closed = true;
      clearTimeout(settle);
      subscriber.disconnect();
    },
  };
}
