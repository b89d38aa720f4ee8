export {
  isVendorSource,
  mappingsPerSource,
  type SourceMap,
  sourceMapCoverage,
} from './bundle/sourceMapCoverage.js';
export { checkReadme, type DocumentedPorts, type ReadmeCheckContext } from './readme/checkReadme.js';
export {
  codeOf,
  endpointVariablesOf,
  linkedPathsOf,
  localPortsOf,
  type PnpmCommand,
  pathsInCodeOf,
  pnpmCommandsOf,
  portsInProseOf,
  portTableRowsOf,
  type Reference,
} from './readme/readmeReferences.js';
export { checkServiceTemplate, checkTemplate, formatViolations } from './template/checkServiceTemplate.js';
export {
  checkTemplateSpec,
  LINT_RULES,
  type LintRule,
  type SpecRule,
  type Violation,
} from './template/checkTemplate.js';
export { IOT_AUTHORIZER_MAX_TIMEOUT_SECONDS, lintEntryPoints } from './template/lintEntryPoints.js';
export { ASYNC_INVOKERS, lintFailurePaths, PIPE_FAILURE_METRICS } from './template/lintFailurePaths.js';
export { isReadOnlyAction, lintLeastPrivilege } from './template/lintLeastPrivilege.js';
export {
  type CloudFormationSpec,
  loadCloudFormationSpec,
  type SpecProperty,
  type SpecResource,
  type SpecType,
  type SpecTypeDefinition,
} from './template/spec.js';
