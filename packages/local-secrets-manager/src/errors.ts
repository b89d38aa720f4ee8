/** A Secrets Manager error as the JSON 1.1 protocol reports it: HTTP 400 and `__type` naming the shape. */
export class SecretsManagerError extends Error {
  constructor(
    /** `ResourceNotFoundException` */
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }

  toJSON(): { __type: string; message: string } {
    return { __type: this.type, message: this.message };
  }
}

export const secretNotFound = () =>
  new SecretsManagerError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");

export const versionNotFound = () =>
  new SecretsManagerError(
    'ResourceNotFoundException',
    "Secrets Manager can't find the specified secret value for the requested version or staging label.",
  );

export const secretExists = (name: string) =>
  new SecretsManagerError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);

export const invalidParameter = (message: string) => new SecretsManagerError('InvalidParameterException', message);

export const invalidRequest = (message: string) => new SecretsManagerError('InvalidRequestException', message);

export const unknownOperation = (target: string) =>
  new SecretsManagerError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);

export const serializationError = (message: string) => new SecretsManagerError('SerializationException', message);

export const requestTooLarge = (limit: number) =>
  new SecretsManagerError('RequestEntityTooLargeException', `Request body is larger than ${limit} bytes`, 413);
