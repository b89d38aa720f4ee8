export * from './bundle/sourceMapCoverage.js';
export * from './template/checkServiceTemplate.js';
export * from './template/checkTemplate.js';
export * from './template/lintLeastPrivilege.js';
export * from './template/spec.js';
