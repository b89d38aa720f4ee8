import type { IncomingMessage } from 'node:http';
import type { IotAction, IotPolicyDocument } from '@blueprints/common';
import type { Aedes, Client } from 'aedes';
import type { IotGatewayAuthorizer } from '../authorizer.js';
import { evaluateIotPolicy } from '../evaluateIotPolicy.js';
import type { IotDisconnectReason, IotGatewayCredential } from './types.js';

/** How the WebSocket upgrade authenticated, kept until aedes asks `authenticate` for the same request. */
export type UpgradeAuth =
  | { kind: 'presigned'; credential: IotGatewayCredential }
  | { kind: 'authorizer'; name: string };

/** What the gateway knows about one connected client. */
export interface Session {
  principal: string;
  policies: IotPolicyDocument[];
  sessionIdentifier: string;
  versionNumber: number;
  /** The first reason recorded wins: it is what the `disconnected` lifecycle event reports. */
  reason?: IotDisconnectReason;
  timer?: NodeJS.Timeout;
}

/** State the gateway's steps (authenticate, authorize, lifecycle, transports) share. */
export interface GatewayState {
  region: string;
  accountId: string;
  credentials: IotGatewayCredential[];
  authorizers: Map<string, IotGatewayAuthorizer>;
  sessions: WeakMap<Client, Session>;
  connectPackets: WeakMap<Client, { clientId: string }>;
  upgradeAuth: WeakMap<IncomingMessage, UpgradeAuth>;
  /** Lifecycle `versionNumber` per client id: it grows with every connection of that id. */
  versions: Map<string, number>;
  serverName: string;
  /** Set once the broker exists (the hooks are created before it). */
  broker?: Aedes;
}

/** Topics only AWS publishes to. */
export const RESERVED_PUBLISH = [/^\$aws\/events\//, /^\$SYS\//];

export function iotArn(state: GatewayState, kind: 'client' | 'topic' | 'topicfilter', name: string): string {
  return `arn:aws:iot:${state.region}:${state.accountId}:${kind}/${name}`;
}

/** True when the session's policies allow the action on the resource; no session means no permissions. */
export function sessionAllows(
  session: Session | undefined,
  action: IotAction,
  resource: string,
  clientId: string,
): boolean {
  return session !== undefined && evaluateIotPolicy(session.policies, { action, resource, clientId }) === 'allow';
}

/** Records why the client is about to be disconnected (unless a reason is already set) and returns the hook's error. */
export function refuse(state: GatewayState, client: Client, reason: IotDisconnectReason, message: string): Error {
  markDisconnectReason(state.sessions.get(client), reason);
  return new Error(message);
}

export function markDisconnectReason(session: Session | undefined, reason: IotDisconnectReason): void {
  if (session && !session.reason) session.reason = reason;
}

/** aedes keeps connected clients by id (not in its typings). */
export function brokerClients(state: GatewayState): Record<string, Client> {
  return (state.broker as unknown as { clients?: Record<string, Client> } | undefined)?.clients ?? {};
}
