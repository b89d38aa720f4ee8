export {
  type AwsClientBudget,
  type AwsClientTimeouts,
  awsClientConfig,
  clientTimeouts,
  InvalidClientBudgetError,
} from './awsClientConfig.js';
export {
  DEFAULT_SAFETY_MARGIN_MS,
  Deadline,
  DeadlineExceededError,
  type DeadlineOptions,
  InvalidDeadlineError,
  type RemainingTimeSource,
} from './Deadline.js';
export { onFirstUse } from './onFirstUse.js';
