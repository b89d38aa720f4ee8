/** Thrown by `presignIotUrl` when its input cannot produce a URL IoT Core would accept. */
export class InvalidPresignInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPresignInputError';
  }
}

/** Why a presigned IoT URL was refused. */
export type PresignedUrlRejection =
  | 'malformed-url'
  | 'missing-parameter'
  | 'malformed-parameter'
  | 'unsupported-algorithm'
  | 'wrong-service'
  | 'wrong-region'
  | 'unknown-key'
  | 'bad-signature'
  | 'expired'
  | 'future-date'
  | 'token-mismatch';

/** Thrown by `verifyPresignedIotUrl`; `reason` says why the URL was refused. */
export class InvalidPresignedUrlError extends Error {
  readonly reason: PresignedUrlRejection;

  constructor(reason: PresignedUrlRejection, message: string) {
    super(`Presigned IoT URL refused (${reason}): ${message}`);
    this.name = 'InvalidPresignedUrlError';
    this.reason = reason;
  }
}

/** Thrown when an untrusted identity cannot be embedded in an IoT policy without widening it. */
export class UnsafeIotIdentityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeIotIdentityError';
  }
}

/** Thrown when an IoT policy (or the builder's input) is not a valid IoT policy. */
export class InvalidIotPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidIotPolicyError';
  }
}
