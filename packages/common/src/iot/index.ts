export * from './errors.js';
export * from './evaluateIotPolicy.js';
export * from './identity.js';
export * from './policy.js';
export * from './presignIotUrl.js';
export {
  IOT_SIGNING_SERVICE,
  MAX_PRESIGN_EXPIRES_SECONDS,
  rfc3986Encode as iotRfc3986Encode,
} from './sigv4.js';
export * from './verifyPresignedIotUrl.js';
