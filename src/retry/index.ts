/** Retries: full-jitter backoff, a retry budget, and the per-method planner. */
export { DEFAULT_INITIAL_DELAY_MS, DEFAULT_MAX_DELAY_MS, retryDelayMs } from './backoff.js';
export { RetryBudget, type RetryBudgetOptions } from './retry-budget.js';
export { validateRetryOptions, type RetryOptions } from './retry-options.js';
export { RetryPlanner } from './retry-planner.js';
export { validateHedgingOptions, type HedgingOptions } from './hedging-options.js';
export { HedgePlanner } from './hedge-planner.js';
