export * from './cloudformation/template.js';
export * from './lambda/LocalLambda.js';
