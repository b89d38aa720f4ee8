export { BundleNotFoundError, bundleHandlerLoader, mapBundleStackTrace } from './bundleHandlerLoader.js';
export {
  createLambdaContext,
  FunctionNotFoundError,
  functionsFromTemplate,
  type Handler,
  type HandlerLoader,
  type LocalFunction,
  LocalLambda,
  sourceHandlerLoader,
} from './LocalLambda.js';
export { type LimitedBody, maxJsonBodyBytes, readLimitedBody } from './readLimitedBody.js';
