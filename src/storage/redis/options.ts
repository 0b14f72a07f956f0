/** Options of `RedisStateStore`, and their validation. */
import type { Cluster, Redis } from 'ioredis';
import { ConfigError } from '../../core/errors.js';
import { hasMethods, isPlainObject, readOptions, requirePositive } from '../../core/validate.js';

const STORE_KEYS: ReadonlySet<string> = new Set([
  'client',
  'prefix',
  'leaseTimeoutMs',
  'shareCounts',
  'flushMs',
  'sharing',
]);
import { validateSharing, type QuorumPolicy, type SharingOption } from './sharing-options.js';

/**
 * The clients the store accepts: an ioredis `Redis` (single node, or Sentinel-managed with
 * `sentinels` and `name`) or an ioredis `Cluster`.
 */
export type RedisClient = Redis | Cluster;

/** Options of a `RedisStateStore`. */
export interface RedisStateStoreOptions {
  /**
   * An ioredis client (v5 or v6). The store sends its commands on it as it is configured (ACL
   * user, TLS, db, `keyPrefix`) and opens one `client.duplicate()` for its subscription, which
   * `close()` closes; it never changes the client's options. It sends only while the client is
   * `ready`, under its own timeout, so `enableOfflineQueue`, `maxRetriesPerRequest` and
   * `commandTimeout` may be anything. After an outage the fleet re-syncs when this client
   * reconnects: ioredis 6 by default waits up to ~5 s between attempts, so for a re-sync within
   * a second of Redis returning give it e.g. `retryStrategy: (n) => Math.min(n * 50, 500)`.
   * An ACL user needs `~<prefix>*` keys, `&<prefix>*` channels and the commands
   * `eval hmget hset set publish subscribe ping` (`hincrby pexpire` with `shareCounts`), plus
   * what ioredis sends on connecting (`hello`, `client|setinfo`, `info` for its ready check).
   * A `Cluster` (ioredis) or a Sentinel-managed `Redis` works as well: see the README's
   * "Redis Cluster and Sentinel" section (a Cluster also needs `cluster` for slot discovery).
   */
  client: RedisClient;
  /** Prefix of every key and of the channel; default `rpc-breaker:`. */
  prefix?: string;
  /**
   * How long the store waits for any Redis reply, ms; default 200. A probe lease unanswered by
   * then is granted locally, and the store reports `degraded` and runs locally until Redis
   * answers again.
   */
  leaseTimeoutMs?: number;
  /**
   * Judge failure-rate and slow-call-rate windows on the whole fleet's calls (default false:
   * each process counts its own). Time-based windows only: a count window (`windowCalls`), the
   * consecutive-failure count and calls hung in flight stay local. Counts are written in batches
   * every `flushMs`, never per call; while Redis is unreachable each process counts locally.
   */
  shareCounts?: boolean;
  /** With `shareCounts`: how often counts are written and fleet totals read, ms; default 1000. */
  flushMs?: number;
  /**
   * Who opens a circuit for the fleet. `'any'` (default): any member's trip opens it for every
   * member. `{ quorum: { minMembers, share, windowMs, activeMs } }`: a member's trip opens only
   * that member; the fleet opens when enough members have tripped within `windowMs` (see
   * `QuorumOptions`). Half-open probes are leased fleet-wide in both modes. Not with
   * `shareCounts`.
   */
  sharing?: SharingOption;
}

/** Validated options with defaults filled in. */
export interface ValidatedRedisStoreOptions {
  client: RedisClient;
  prefix: string;
  leaseTimeoutMs: number;
  shareCounts: boolean;
  flushMs: number;
  /** The quorum's settings; undefined for `sharing: 'any'`. */
  quorum: QuorumPolicy | undefined;
}

/**
 * Checks the options of a `RedisStateStore` and fills in defaults.
 * @throws ConfigError naming the option and the value received
 */
export function validateRedisStoreOptions(
  options: RedisStateStoreOptions,
): ValidatedRedisStoreOptions {
  // Read once into a copy (anything but an object reads as no options: no client).
  const o = readOptions(
    isPlainObject(options) ? options : {},
    STORE_KEYS,
    '',
    'ignore',
  ) as Partial<RedisStateStoreOptions>;
  const client = o.client;
  if (!hasMethods(client, 'client', 'duplicate', 'eval')) {
    throw new ConfigError('client', 'must be an ioredis client', client);
  }
  const prefix = o.prefix ?? 'rpc-breaker:';
  if (typeof prefix !== 'string') throw new ConfigError('prefix', 'must be a string', prefix);
  const shareCounts = o.shareCounts ?? false;
  if (typeof shareCounts !== 'boolean')
    throw new ConfigError('shareCounts', 'must be a boolean', shareCounts);
  const quorum = validateSharing(o.sharing);
  if (quorum && shareCounts) {
    throw new ConfigError(
      'shareCounts',
      'cannot be combined with sharing: { quorum } (every member would trip on the same fleet totals)',
      shareCounts,
    );
  }
  return {
    quorum,
    client: client as RedisClient,
    prefix,
    leaseTimeoutMs: requirePositive(o.leaseTimeoutMs ?? 200, 'leaseTimeoutMs'),
    shareCounts,
    flushMs: requirePositive(o.flushMs ?? 1000, 'flushMs'),
  };
}
