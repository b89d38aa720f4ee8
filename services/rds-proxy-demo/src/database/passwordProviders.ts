import { Signer } from '@aws-sdk/rds-signer';
import type { DatabaseSettings } from './settings.js';

/** Where a new connection goes: the host, port and user a password (or IAM token) is issued for. */
export interface ConnectionTarget {
  host: string;
  port: number;
  user: string;
}

/**
 * Returns the password for ONE new connection. It is called each time a connection is opened and
 * never for a query on an open connection, so an IAM token is always fresh when it is presented
 * (tokens live 15 minutes; an open connection stays valid after its token expires).
 * `undefined` means "no password" (trust authentication).
 */
export type PasswordProvider = (target: ConnectionTarget) => Promise<string | undefined>;

/**
 * IAM authentication tokens from `@aws-sdk/rds-signer`, signed for the endpoint being connected
 * to (the proxy's default or read-only endpoint). Signing is local: no network call beyond the
 * credential provider, which reads the function's role credentials from its environment.
 *
 * @example
 * const provider = iamAuthTokenProvider('eu-west-1');
 * const token = await provider({ host: 'my-proxy.proxy-abc.eu-west-1.rds.amazonaws.com', port: 5432, user: 'app_admin' });
 */
export function iamAuthTokenProvider(region: string): PasswordProvider {
  const signers = new Map<string, Signer>();
  return (target) => {
    const key = `${target.host}:${target.port}/${target.user}`;
    let signer = signers.get(key);
    if (!signer) {
      signer = new Signer({ hostname: target.host, port: target.port, username: target.user, region });
      signers.set(key, signer);
    }
    return signer.getAuthToken();
  };
}

/** The password provider the settings ask for: IAM tokens, a fixed local password, or none. */
export function passwordProviderFor(settings: DatabaseSettings): PasswordProvider {
  switch (settings.auth) {
    case 'iam':
      return iamAuthTokenProvider(settings.region);
    case 'password': {
      const password = settings.password;
      return async () => password;
    }
    case 'trust':
      return async () => undefined;
  }
}
