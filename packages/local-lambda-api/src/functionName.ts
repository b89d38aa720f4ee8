/** A function named in an Invoke request, split into its name and version or alias. */
export interface FunctionReference {
  name: string;
  qualifier?: string;
}

// Lambda accepts a name, a full ARN or a partial ARN (`123456789012:function:name`), each with an optional `:qualifier`.
const ARN = /^(?:arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:)?(?:\d{12}:)?function:([a-zA-Z0-9_.-]+)(?::([a-zA-Z0-9_$.-]+))?$/;
const NAME = /^([a-zA-Z0-9_.-]+)(?::([a-zA-Z0-9_$.-]+))?$/;

/**
 * The function name and qualifier of an Invoke request's `FunctionName` (the decoded path segment)
 * and `Qualifier` query parameter; `undefined` when the text is no function name Lambda accepts.
 *
 * @example
 * parseFunctionReference('arn:aws:lambda:us-east-1:123456789012:function:orders-dev-create:$LATEST');
 * // { name: 'orders-dev-create', qualifier: '$LATEST' }
 */
export function parseFunctionReference(functionName: string, qualifier?: string): FunctionReference | undefined {
  const match = ARN.exec(functionName) ?? NAME.exec(functionName);
  if (!match) return undefined;
  const [, name, own] = match as unknown as [string, string, string | undefined];
  const q = own ?? qualifier;
  return q === undefined ? { name } : { name, qualifier: q };
}
