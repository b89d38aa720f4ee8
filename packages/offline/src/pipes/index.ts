export * from './LocalPipes.js';
export * from './localKinesis.js';
export * from './targetParameters.js';
