// The state store chosen by config: in-process memory (one replica) or Redis (shared by all).
import type { StateConfig } from '../config/schema/state.js';
import { MemoryStateStore } from './memory.js';
import { RedisStateStore, type RedisStoreDeps } from './redis.js';
import type { StateStore } from './types.js';

export { CircuitBreaker, type BreakerState } from './breaker.js';
export { MemoryStateStore } from './memory.js';
export { createRedisClient } from './redis-client.js';
export { RedisStateStore, type RedisStoreDeps } from './redis.js';
export * from './types.js';

export function createStateStore(cfg: StateConfig, deps: RedisStoreDeps = {}): StateStore {
  switch (cfg.backend) {
    case 'memory':
      return new MemoryStateStore({ maxEntries: cfg.memory.max_entries });
    case 'redis':
      if (!cfg.redis) throw new Error('state.backend redis needs state.redis');
      return new RedisStateStore(cfg.redis, deps);
  }
}
