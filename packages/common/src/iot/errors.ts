/** Thrown by `presignIotUrl` when its input cannot produce a URL IoT Core would accept. */
export class InvalidPresignInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPresignInputError';
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
