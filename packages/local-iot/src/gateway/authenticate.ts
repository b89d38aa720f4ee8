import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { IotPolicyDocument } from '@blueprints/common';
import type { AedesOptions, Client } from 'aedes';
import {
  buildIotAuthorizerEvent,
  IOT_AUTHORIZER_NAME_KEY,
  type IotGatewayAuthorizer,
  iotUsernameQuery,
  validateIotAuthorizerResponse,
} from '../authorizer.js';
import { IOT_LIMITS } from '../topics.js';
import {
  brokerClients,
  type GatewayState,
  iotArn,
  markDisconnectReason,
  type Session,
  sessionAllows,
} from './session.js';
import { ConnectRefusedError } from './types.js';

interface Identity {
  principal: string;
  policies: IotPolicyDocument[];
  disconnectAfter?: number;
}

/** The aedes `authenticate` hook: a refused CONNECT carries its CONNACK return code. */
export function authenticateHook(state: GatewayState): NonNullable<AedesOptions['authenticate']> {
  return (client, username, password, done) => {
    authenticate(state, client, username, password as Buffer | undefined).then(
      () => done(null, true),
      (error: unknown) => {
        const refused =
          error instanceof ConnectRefusedError
            ? error
            : new ConnectRefusedError(`authentication failed: ${String(error)}`, 5);
        done(Object.assign(new Error(refused.message), { returnCode: refused.returnCode }), false);
      },
    );
  };
}

/** Finds the client's identity, checks its client id and `iot:Connect`, then opens its session. */
async function authenticate(
  state: GatewayState,
  client: Client,
  username: string | undefined,
  password: Buffer | undefined,
): Promise<void> {
  const identity = await identify(state, client, username, password);
  const clientId = client.id;
  if (Buffer.byteLength(clientId, 'utf8') > IOT_LIMITS.clientIdBytes) {
    throw new ConnectRefusedError(`client id longer than ${IOT_LIMITS.clientIdBytes} bytes`, 2);
  }
  if (clientId.startsWith('$')) throw new ConnectRefusedError('client ids may not start with $', 2);
  const session: Session = {
    principal: identity.principal,
    policies: identity.policies,
    sessionIdentifier: randomUUID(),
    versionNumber: 0,
  };
  if (!sessionAllows(session, 'iot:Connect', iotArn(state, 'client', clientId), clientId)) {
    throw new ConnectRefusedError(`iot:Connect on client/${clientId} is not allowed`, 5);
  }
  openSession(state, client, session, identity.disconnectAfter);
}

/** A presigned URL (checked at the upgrade) or a custom authorizer (named at the upgrade or, over TCP, in the username). */
async function identify(
  state: GatewayState,
  client: Client,
  username: string | undefined,
  password: Buffer | undefined,
): Promise<Identity> {
  const req = client.req as IncomingMessage | undefined;
  const auth = req ? state.upgradeAuth.get(req) : undefined;
  if (auth?.kind === 'presigned') {
    return {
      principal: auth.credential.principal ?? auth.credential.accessKeyId,
      policies: auth.credential.policies ?? [],
    };
  }
  const authorizerName =
    auth?.kind === 'authorizer'
      ? auth.name
      : !req
        ? iotUsernameQuery(username).get(IOT_AUTHORIZER_NAME_KEY)
        : undefined;
  if (authorizerName === undefined) {
    throw new ConnectRefusedError('no credentials: use a presigned URL or name a custom authorizer', 5);
  }
  const authorizer = state.authorizers.get(authorizerName);
  if (!authorizer || authorizer.enabled === false) {
    throw new ConnectRefusedError(`no active custom authorizer "${authorizerName}"`, 5);
  }
  return callAuthorizer(state, client, authorizerName, authorizer, { username, password, req });
}

async function callAuthorizer(
  state: GatewayState,
  client: Client,
  name: string,
  authorizer: IotGatewayAuthorizer,
  input: { username?: string; password?: Buffer; req?: IncomingMessage },
): Promise<Identity> {
  const sentClientId = state.connectPackets.get(client)?.clientId ?? '';
  const event = buildIotAuthorizerEvent({
    connectionId: randomUUID(),
    serverName: state.serverName,
    clientId: sentClientId || undefined,
    username: input.username,
    password: input.password,
    request: input.req,
    tokenKeyName: authorizer.tokenKeyName,
  });
  let response: unknown;
  try {
    response = await authorizer.handler(event);
  } catch (error) {
    throw new ConnectRefusedError(`custom authorizer "${name}" failed: ${String(error)}`, 5);
  }
  try {
    const grant = validateIotAuthorizerResponse(response);
    return { principal: grant.principalId, policies: grant.policies, disconnectAfter: grant.disconnectAfterInSeconds };
  } catch (error) {
    throw new ConnectRefusedError((error as Error).message, 5);
  }
}

/** Takes over the client id from a previous connection and arms the authorizer's `disconnectAfterInSeconds`. */
function openSession(state: GatewayState, client: Client, session: Session, disconnectAfter: number | undefined): void {
  const previous = brokerClients(state)[client.id];
  if (previous) markDisconnectReason(state.sessions.get(previous), 'DUPLICATE_CLIENTID');
  session.versionNumber = (state.versions.get(client.id) ?? 0) + 1;
  state.versions.set(client.id, session.versionNumber);
  state.sessions.set(client, session);
  if (disconnectAfter === undefined) return;
  session.timer = setTimeout(() => {
    markDisconnectReason(session, 'CUSTOMAUTH_TTL_EXPIRATION');
    client.close();
  }, disconnectAfter * 1000);
  session.timer.unref();
}
