export {
  InvalidIotPolicyError,
  InvalidPresignedUrlError,
  InvalidPresignInputError,
  type PresignedUrlRejection,
  UnsafeIotIdentityError,
} from './errors.js';
export {
  evaluateIotPolicy,
  type IotAuthorizationRequest,
  type IotPolicyDecision,
} from './evaluateIotPolicy.js';
export {
  type AssertSafeIotIdentityOptions,
  assertSafeIotIdentity,
  escapeIotPolicyResource,
  iotPolicyResource,
  iotPolicyResourceTag,
} from './identity.js';
export {
  IOT_ACTION_RESOURCE,
  type IotAction,
  IotPolicyBuilder,
  type IotPolicyBuilderOptions,
  type IotPolicyDocument,
  type IotPolicyStatement,
} from './policy.js';
export {
  DEFAULT_PRESIGN_EXPIRES_SECONDS,
  type IotSigningCredentials,
  type PresignIotUrlOptions,
  presignIotUrl,
} from './presignIotUrl.js';
export {
  IOT_SIGNING_SERVICE,
  MAX_PRESIGN_EXPIRES_SECONDS,
  rfc3986Encode as iotRfc3986Encode,
} from './sigv4.js';
export {
  type VerifiedPresignedIotUrl,
  type VerifyPresignedIotUrlOptions,
  verifyPresignedIotUrl,
} from './verifyPresignedIotUrl.js';
