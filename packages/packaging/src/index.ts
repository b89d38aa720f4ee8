export { ensurePackaged, oslsBin, packagedServiceResolver, packageFolder, projectRoot } from './ensurePackaged.js';
export {
  functionEnvironment,
  functionLogicalId,
  type PackagedFunction,
  type PackagedServiceState,
  PackagedStateMissingError,
  readPackagedServiceState,
  UnresolvableEnvironmentError,
} from './packagedService.js';
export { PACKAGING_HEARTBEAT_MS, type PackagingProgress, reportPackaging } from './packagingProgress.js';
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
