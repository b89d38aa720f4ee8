export type { ClientOptions, DatabaseLogger, DatabaseOptions, EndpointRole } from './Database.js';
export { Database, LIVENESS_CHECK_TIMEOUT_MS } from './Database.js';
export { DatabaseConnectionError, DatabaseTimeoutError, isConnectionLost } from './errors.js';
export type { ConnectionTarget, PasswordProvider } from './passwordProviders.js';
export { iamAuthTokenProvider, passwordProviderFor } from './passwordProviders.js';
export type { DatabaseAuth, DatabaseSettings } from './settings.js';
export { readDatabaseSettings } from './settings.js';
export { stepBudget, withinStep } from './stepBudget.js';
