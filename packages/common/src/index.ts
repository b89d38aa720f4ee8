export * from './config/env.js';
export * from './events/index.js';
export * from './iot/index.js';
