export {
  DEV_CREDENTIALS,
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from './startLocalStack.js';
