import { type IotAuthorizerEvent, presentedCredentials } from './credentials.js';
import { acceptableSubject } from './subject.js';
import { allowResponse, denyResponse, type IotAuthorizerResponse, type SubjectPolicyOptions } from './subjectPolicy.js';
import { SigningSecretUnavailableError, type VerifiedToken } from './tokenVerifier.js';

export interface AuthorizeConnectionDependencies {
  verifyToken: (token: string) => Promise<VerifiedToken>;
  policy: SubjectPolicyOptions;
  now?: () => Date;
  /** Told why a connection was denied (for logs); never told the token. `serverFault`: the signing secret was unavailable. */
  onDeny?: (reason: string, details: { source?: string; connectionId?: string; serverFault: boolean }) => void;
}

/**
 * Decides an IoT custom authorizer request: finds the presented token, verifies it, checks the
 * subject, and returns the subject's policy. Every failure, whatever it is, becomes
 * `isAuthenticated: false`: it never throws, so IoT Core never sees an error.
 *
 * @example
 * const response = await authorizeConnection(event, { verifyToken, policy: { region, accountId, sensorRuleName } });
 */
export async function authorizeConnection(
  event: IotAuthorizerEvent,
  deps: AuthorizeConnectionDependencies,
): Promise<IotAuthorizerResponse> {
  let source: string | undefined;
  const connectionId =
    typeof event?.connectionMetadata?.id === 'string' ? event.connectionMetadata.id.slice(0, 128) : undefined;
  try {
    const credentials = presentedCredentials(event);
    source = credentials.source;
    const verified = await deps.verifyToken(credentials.token);
    const subject = acceptableSubject(verified.subject);
    const now = deps.now?.() ?? new Date();
    return allowResponse(subject, verified.expiresAt, { ...deps.policy, now });
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
    try {
      deps.onDeny?.(reason.slice(0, 300), {
        ...(source ? { source } : {}),
        ...(connectionId ? { connectionId } : {}),
        serverFault: error instanceof SigningSecretUnavailableError,
      });
    } catch {
      // logging must not turn a deny into an error
    }
    return denyResponse();
  }
}
