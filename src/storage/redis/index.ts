/** `rpc-breaker/redis`: circuit state shared across processes through Redis (peer dependency ioredis). */
export {
  RedisStateStore,
  type RedisStateStoreOptions,
  type RedisStoreStatus,
} from './redis-state-store.js';
