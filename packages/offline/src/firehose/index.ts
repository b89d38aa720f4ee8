export * from './LocalFirehose.js';
