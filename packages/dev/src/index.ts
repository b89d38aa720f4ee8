export { ActivityFeed, type DevActivity } from './activityFeed.js';
export {
  DEV_USAGE,
  type DevCommandLine,
  DevUsageError,
  formatDevSummary,
  parseDevCommandLine,
  runDevCommand,
} from './cli.js';
export {
  BadDashboardRequestError,
  type DashboardServer,
  describeDevEnvironment,
  errorBody,
  startDashboard,
} from './dashboardServer.js';
export {
  DevAlreadyRunningError,
  type DevEnvironment,
  type DevEnvironmentOptions,
  type DevService,
  listServices,
  NoServicesError,
  startDevEnvironment,
  UnknownServiceError,
} from './devEnvironment.js';
export { ObservedLambda, triggerOf } from './ObservedLambda.js';
export {
  assertDevPortsFree,
  DEFAULT_DEV_PORTS,
  DEV_PORT_FLAGS,
  DevPortInUseError,
  type DevPorts,
  probePort,
} from './ports.js';
export { sameOriginRefusal } from './sameOriginGuard.js';
