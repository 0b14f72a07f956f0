/**
 * Where the Redis store keeps things. Every key and the channel start with the store's prefix;
 * a circuit name appears only base64url-encoded (alphabet A–Z a–z 0–9 - _, so never `:`, `{`,
 * `}`, `*` or a space) inside a `{…}` hash tag. No name can therefore reach another circuit's
 * keys, whatever characters it holds, and all keys of one circuit share a Redis Cluster slot.
 */

/** The keys and the channel of one store. */
export class RedisKeys {
  /** Channel on which stored transitions are published. */
  readonly channel: string;

  /**
   * @param prefix the store's prefix (default `rpc-breaker:`)
   * @param clientKeyPrefix the client's own ioredis `keyPrefix`, which ioredis adds to keys but
   *   not to channels: it is added to the channel here, so stores whose keys are apart also
   *   hear apart
   */
  constructor(
    private readonly prefix: string,
    clientKeyPrefix = '',
  ) {
    this.channel = `${clientKeyPrefix}${prefix}events`;
  }

  /** Hash holding circuit `name`'s shared state: `<prefix>c:{<name>}`. */
  state(name: string): string {
    return `${this.prefix}c:{${encodeName(name)}}`;
  }

  /** Probe slot `slot` of half-open generation `generation`: `<prefix>lease:{<name>}:<g>:<slot>`. */
  lease(name: string, generation: number, slot: number): string {
    return `${this.prefix}lease:{${encodeName(name)}}:${generation}:${slot}`;
  }

  /** Quorum: sorted set of the members that tripped circuit `name`, scored by wall ms. */
  votes(name: string): string {
    return `${this.prefix}q:{${encodeName(name)}}`;
  }

  /** Quorum: sorted set of the active members (stores), scored by when they last announced. */
  get members(): string {
    return `${this.prefix}members`;
  }

  /** Start of the shared-window bucket keys (`shareCounts`): `<prefix>w:{<name>}:`. */
  windowBase(name: string): string {
    return `${this.prefix}w:{${encodeName(name)}}:`;
  }
}

/** A circuit name as it appears in keys: UTF-8, base64url. */
export function encodeName(name: string): string {
  return Buffer.from(name, 'utf8').toString('base64url');
}
