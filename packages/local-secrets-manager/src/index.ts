export { SecretsManagerError } from './errors.js';
export { type GenerateSecretStringOptions, generateSecretString } from './generateSecretString.js';
export {
  LocalSecretsManager,
  type LocalSecretsManagerOptions,
  type LocalSecretValue,
  SECRET_VALUE_MAX_BYTES,
} from './LocalSecretsManager.js';
export { createSecretsFromTemplate, type LocalSecretInfo } from './secretsFromTemplate.js';
