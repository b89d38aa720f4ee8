export * from './authorizer.js';
export * from './gateway.js';
export * from './rules.js';
export * from './sql.js';
export * from './template.js';
export * from './topics.js';
