/**
 * An error of the Lambda API as its REST-JSON protocol answers it: an HTTP status, the error code in
 * `x-amzn-errortype` (what the SDK turns into the exception class) and `{ Type, message }` as body.
 */
export class LambdaApiError extends Error {
  constructor(
    /** `ResourceNotFoundException` */
    readonly type: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = type;
  }

  toJSON(): { Type: string; message: string } {
    return { Type: this.statusCode >= 500 ? 'Service' : 'User', message: this.message };
  }
}

export const functionNotFound = (arn: string) =>
  new LambdaApiError('ResourceNotFoundException', `Function not found: ${arn}`, 404);

export const requestTooLarge = (bytes: number, limit: number, invocationType: string) =>
  new LambdaApiError(
    'RequestTooLargeException',
    `${bytes} byte payload is too large for the ${invocationType} invocation type (limit ${limit} bytes)`,
    413,
  );

export const invalidRequestContent = (reason: string) =>
  new LambdaApiError('InvalidRequestContentException', `Could not parse request body into json: ${reason}`, 400);

export const invalidParameterValue = (message: string) =>
  new LambdaApiError('InvalidParameterValueException', message, 400);

export const unknownOperation = (method: string, path: string) =>
  new LambdaApiError(
    'UnknownOperationException',
    `The local Lambda API answers Invoke (POST /2015-03-31/functions/<name>/invocations) only, not ${method} ${path}`,
    404,
  );
