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
