export { DotenvLoadError, type DotenvValues, readDotenv } from './dotenv.js';
export {
  type EnsurePackagedOptions,
  ensurePackaged,
  oslsBin,
  PackagingAbortedError,
  PackagingLockTimeoutError,
  packagedServiceResolver,
  packageInputsHash,
  projectRoot,
  workspaceRoot,
} from './ensurePackaged.js';
export {
  BundleConfigError,
  FunctionBundles,
  type RebuildResult,
  type RebuiltFunction,
} from './functionBundles.js';
export { claimOwnerLock, isOwnerAlive, LockHeldError, type LockOwner, readLockOwner } from './ownerLock.js';
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
  isBuildOutput,
  KEPT_DEFAULT_PACKAGE,
  packagedFileNames,
  packagedFilePath,
  packageFolder,
  readPackagedFile,
  withPackagedFile,
} from './packageFolder.js';
export { PACKAGING_HEARTBEAT_MS, type PackagingProgress, packagingLine, reportPackaging } from './packagingProgress.js';
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
