export { LambdaApiError } from './errors.js';
export { type FunctionReference, parseFunctionReference } from './functionName.js';
export {
  ASYNC_REQUEST_MAX_BYTES,
  type FunctionInvoker,
  LocalLambdaApi,
  type LocalLambdaApiOptions,
  SYNC_REQUEST_MAX_BYTES,
  SYNC_RESPONSE_MAX_BYTES,
} from './LocalLambdaApi.js';
