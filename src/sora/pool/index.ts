/** Several Sora deployments behind one bot (SORA_POOL). */
export { type CreatePoolOptions, createPool, describeEntry, poolFromConfig } from './create-pool.js';
export {
  type BreakerSettings,
  DEFAULT_BREAKER,
  type Deployment,
  DeploymentPool,
  keysOf,
  LEGACY_KEYS,
} from './deployment-pool.js';
export { PoolConfigError, type PoolEntry, parsePoolEntries } from './pool-config.js';
export { ReportingProvider } from './reporting-provider.js';
