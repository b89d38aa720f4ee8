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
  type LocalBrowserMqtt,
  type LocalDatabaseWiring,
  type LocalIotEndpoint,
  type LocalIotWiring,
  type LocalPostgresEndpoint,
  type LocalWiring,
} from './localWiring.js';
export {
  DEV_CREDENTIALS,
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from './startLocalStack.js';
