import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from '../http/responses.js';

/**
 * A tenant name: the part of the caller's role name after the configured prefix. Letters, digits, `_`, `.`
 * and `-` only, so it is safe as an SQS MessageGroupId, a CloudWatch dimension and a `#`-separated key part.
 */
export const TENANT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** `arn:<partition>:sts::<account>:assumed-role/<role name>/<session name>` */
const ASSUMED_ROLE_ARN = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/[\w+=,.@-]{2,64}$/;

/** The caller is signed in (IAM authorization passed) but is not one of this service's tenants. */
export class CallerNotATenantError extends HttpError {
  constructor(reason: string) {
    super(403, 'Forbidden', [reason]);
    this.name = 'CallerNotATenantError';
  }
}

/** The IAM identity API Gateway puts in the request context of a route with `AWS_IAM` authorization. */
interface IamIdentity {
  userArn?: string;
  accountId?: string;
}

function iamIdentityOf(event: Pick<APIGatewayProxyEventV2, 'requestContext'>): IamIdentity | undefined {
  const authorizer = (event.requestContext as { authorizer?: { iam?: IamIdentity } }).authorizer;
  return authorizer?.iam;
}

/**
 * The tenant of an HTTP API request, from the IAM role the caller assumed: a session of role
 * `<rolePrefix><tenant>` in the API's own account is tenant `<tenant>`. Anything the client sends in the
 * body or headers is ignored: API Gateway verified the SigV4 signature and wrote `userArn` itself.
 * IAM users, other accounts' roles and roles without the prefix get a 403 {@link CallerNotATenantError}.
 *
 * @example
 * // requestContext.authorizer.iam.userArn = 'arn:aws:sts::123456789012:assumed-role/event-logger-dev-tenant-A/app'
 * callerTenant(event, 'event-logger-dev-tenant-'); // 'A'
 */
export function callerTenant(event: Pick<APIGatewayProxyEventV2, 'requestContext'>, rolePrefix: string): string {
  const identity = iamIdentityOf(event);
  if (!identity?.userArn) throw new CallerNotATenantError('the request carries no IAM identity');
  const match = ASSUMED_ROLE_ARN.exec(identity.userArn);
  if (!match) throw new CallerNotATenantError('only sessions of a tenant role may call this API');
  const [, account, roleName = ''] = match;
  if (account !== event.requestContext.accountId || identity.accountId !== event.requestContext.accountId) {
    throw new CallerNotATenantError("the caller's role belongs to another account");
  }
  if (!roleName.startsWith(rolePrefix)) throw new CallerNotATenantError("the caller's role is not a tenant role");
  const tenant = roleName.slice(rolePrefix.length);
  if (!TENANT_NAME.test(tenant)) throw new CallerNotATenantError('the tenant role name has an invalid tenant part');
  return tenant;
}
