export * from './cloudformation/ensurePackaged.js';
export * from './cloudformation/template.js';
export * from './eventbus/index.js';
export * from './iot/index.js';
export * from './lambda/LocalLambda.js';
export * from './pipes/index.js';
export * from './sqs/index.js';
export * from './standins/index.js';
