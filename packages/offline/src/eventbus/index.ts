export * from './eventPattern.js';
export * from './inputTransformer.js';
export * from './LocalEventBridge.js';
