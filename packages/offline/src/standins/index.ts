export * from './dynamodb.js';
export * from './s3.js';
