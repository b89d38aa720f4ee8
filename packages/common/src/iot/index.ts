export {
  InvalidIotPolicyError,
  InvalidPresignInputError,
  UnsafeIotIdentityError,
} from './errors.js';
export {
  type AssertSafeIotIdentityOptions,
  assertSafeIotIdentity,
  escapeIotPolicyResource,
  iotPolicyResource,
  iotPolicyResourceTag,
} from './identity.js';
export { IotNamespace } from './namespace.js';
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
  SIGV4_ALGORITHM,
  type SignatureInput,
  sigv4Signature,
} from './sigv4.js';
