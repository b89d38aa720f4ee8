export * from './config/env.js';
