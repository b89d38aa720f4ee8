export {
  createTablesFromTemplate,
  type LocalDynamoDb,
  type LocalDynamoDbOptions,
  type LocalTableInfo,
  startLocalDynamoDb,
} from './dynamodb.js';
export { createBucketsFromTemplate, type LocalS3, type LocalS3Options, startLocalS3 } from './s3.js';
