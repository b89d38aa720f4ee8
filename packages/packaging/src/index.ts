export { DotenvLoadError, type DotenvValues, readDotenv } from './dotenv.js';
export { ensurePackaged, oslsBin, packagedServiceResolver, packageFolder, projectRoot } from './ensurePackaged.js';
export {
  functionEnvironment,
  functionLogicalId,
  type LocalSettings,
  localEnvironment,
  type PackagedFunction,
  type PackagedServiceState,
  PackagedStateMissingError,
  readPackagedServiceState,
  UnresolvableEnvironmentError,
} from './packagedService.js';
export {
  type CfnResource,
  type CfnTemplate,
  evaluateCondition,
  loadPackagedTemplate,
  resourcesOfType,
  type StackContext,
  TemplateNotPackagedError,
  TemplateResolver,
  UnsupportedIntrinsicError,
} from './template.js';
