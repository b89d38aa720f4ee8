export { DEV_CREDENTIALS, deploymentCredentials, type LocalCredentials } from './devCredentials.js';
export { freeLocalPort } from './freeLocalPort.js';
export { LOCAL_WIRING_FILE, loadLocalWiring } from './loadLocalWiring.js';
export {
  describeLocalActions,
  InvalidLocalActionInputError,
  type LocalActionStandIns,
  localActionContext,
  runLocalAction,
  UnknownLocalActionError,
} from './localActions.js';
export {
  defineLocalWiring,
  InvalidLocalWiringError,
  type JsonValue,
  type LocalAction,
  type LocalActionContext,
  type LocalActionService,
  type LocalDatabaseWiring,
  type LocalIotEndpoint,
  type LocalIotWiring,
  type LocalPostgresEndpoint,
  type LocalWiring,
} from './localWiring.js';
export {
  hasResource,
  type LocalServiceEntry,
  packageService,
  type ResolvedService,
  resolveService,
} from './resolveService.js';
export {
  type LocalPostgres,
  type LocalPostgresStarter,
  PostgresStarterMissingError,
} from './serviceDatabase.js';
export { serviceFunctionsFromTemplate } from './serviceFunctions.js';
export { iotEndpointOf } from './serviceGateway.js';
export { type RebuiltBundle, UnknownLocalServiceError } from './serviceRewiring.js';
export type { StandIns, StandInsOptions } from './standIns.js';
export {
  DuplicateLocalServiceError,
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from './startLocalStack.js';
export type { LocalHttpRequest, LocalService } from './wireService.js';
