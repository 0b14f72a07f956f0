/** The `sharing` option of `RedisStateStore`: who opens a circuit for the fleet. */
import { ConfigError } from '../../core/errors.js';
import {
  unreadable,
  isPlainObject,
  rejectUnknownKeys,
  requireInteger,
  requirePositive,
} from '../../core/validate.js';

/**
 * A quorum of members must agree before the fleet opens. A member's own trip opens only that
 * member. The fleet opens when the members that tripped within `windowMs` number at least
 * `max(minMembers, ⌈share × active members⌉)`.
 */
export interface QuorumOptions {
  /** Fewest members whose trips open the fleet; default 2 (so one member never does). */
  minMembers?: number;
  /**
   * Least share of the active members (those whose store announced itself within `activeMs`)
   * whose trips open the fleet, in [0, 1]; default 0.5. 0: `minMembers` alone decides.
   */
  share?: number;
  /** How long a member's trip counts toward the quorum, ms; default 10_000. */
  windowMs?: number;
  /**
   * How quickly the base of `share` follows members (stores with this Redis and prefix) that
   * join or leave, ms: each store announces itself every `activeMs / 3` (one timer per store)
   * and counts as active for 2/3 × `activeMs` after; one that stops or is killed leaves the base
   * within `activeMs`. At least 100; default 3_000.
   */
  activeMs?: number;
}

/** `'any'` (default: any member's trip opens the fleet) or a quorum. */
export type SharingOption = 'any' | { quorum: QuorumOptions };

/** Validated quorum settings, defaults filled in. */
export interface QuorumPolicy {
  minMembers: number;
  share: number;
  windowMs: number;
  activeMs: number;
}

const QUORUM_KEYS: ReadonlySet<string> = new Set(['minMembers', 'share', 'windowMs', 'activeMs']);

/**
 * Checks the `sharing` option; returns the quorum settings, or undefined for `'any'`.
 * @throws ConfigError naming the option path and the value received
 */
export function validateSharing(sharing: unknown): QuorumPolicy | undefined {
  try {
    return readSharing(sharing);
  } catch (error) {
    // A getter that throws, a revoked proxy: say which option could not be read.
    if (error instanceof ConfigError) throw error;
    throw unreadable('sharing', error);
  }
}

function readSharing(sharing: unknown): QuorumPolicy | undefined {
  if (sharing === undefined || sharing === 'any') return undefined;
  if (!isPlainObject(sharing) || !isPlainObject(sharing.quorum)) {
    throw new ConfigError('sharing', "must be 'any' or { quorum: { ... } }", sharing);
  }
  rejectUnknownKeys(sharing, new Set(['quorum']), 'sharing');
  const q = sharing.quorum;
  rejectUnknownKeys(q, QUORUM_KEYS, 'sharing.quorum');
  const share = q.share ?? 0.5;
  if (typeof share !== 'number' || !(share >= 0 && share <= 1)) {
    throw new ConfigError('sharing.quorum.share', 'must be a number in [0, 1]', share);
  }
  if (typeof q.activeMs === 'number' && q.activeMs < 100) {
    throw new ConfigError('sharing.quorum.activeMs', 'must be >= 100', q.activeMs);
  }
  return {
    minMembers: atMost(
      requireInteger(q.minMembers ?? 2, 'sharing.quorum.minMembers'),
      1e6,
      'minMembers',
    ),
    share,
    windowMs: atMost(
      requirePositive(q.windowMs ?? 10_000, 'sharing.quorum.windowMs'),
      DAY_MS,
      'windowMs',
    ),
    activeMs: atMost(
      requirePositive(q.activeMs ?? 3_000, 'sharing.quorum.activeMs'),
      DAY_MS,
      'activeMs',
    ),
  };
}

const DAY_MS = 86_400_000;

function atMost(v: number, max: number, name: string): number {
  if (v > max) throw new ConfigError(`sharing.quorum.${name}`, `must be <= ${max}`, v);
  return v;
}
