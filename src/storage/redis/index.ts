/** `rpc-breaker/redis`: circuit state shared across processes through Redis (peer dependency ioredis). */
export type { RedisStateStoreOptions } from './options.js';
export { RedisStateStore, type RedisStoreStatus } from './redis-state-store.js';
export { RedisTimeoutError } from './redis-link.js';
export type { QuorumOptions, SharingOption } from './sharing-options.js';
