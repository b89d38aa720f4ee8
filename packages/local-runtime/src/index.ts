export {
  type BundleHandlerLoaderOptions,
  BundleNotFoundError,
  bundleHandlerLoader,
  mapBundleStackTrace,
} from './bundleHandlerLoader.js';
export { type FunctionErrorPayload, FunctionTimeoutError, functionErrorPayload } from './functionError.js';
export type { InvocationReport, LambdaLogEntry, LambdaLogWriter } from './invocationLog.js';
export {
  createLambdaContext,
  FunctionNotFoundError,
  functionsFromTemplate,
  type Handler,
  type HandlerLoader,
  type Invocation,
  type LocalFunction,
  LocalLambda,
  type LocalLambdaOptions,
  sourceHandlerLoader,
} from './LocalLambda.js';
export { type LimitedBody, maxJsonBodyBytes, readLimitedBody } from './readLimitedBody.js';
export { formatLogEntry, formatReportLine, prettyLogLine, terminalLogWriter } from './terminalLogWriter.js';
