import type { IotPolicyDocument, IotSigningCredentials } from '@blueprints/common';
import type { IotAuthorizerHandler, IotGatewayAuthorizer } from '../authorizer.js';
import type { IotRuleActivity, LocalTopicRule } from '../rules.js';

/** Local credentials a presigned URL may be signed with, and the IoT permissions of their principal. */
export interface IotGatewayCredential extends IotSigningCredentials {
  /** The principal's policies (e.g. the IoT statements of the presign function's role: `iotPoliciesOfFunction`). */
  policies?: IotPolicyDocument[];
  /** What `principal()` and lifecycle `principalIdentifier` report (default: the access key id). */
  principal?: string;
}

export interface IotGatewayOptions {
  region: string;
  accountId: string;
  /** Known local credentials for presigned URLs. */
  credentials?: IotGatewayCredential[];
  /** Custom authorizers by name (`x-amz-customauthorizer-name`). */
  authorizers?: Record<string, IotAuthorizerHandler | IotGatewayAuthorizer>;
  rules?: LocalTopicRule[];
  actions?: {
    sqs?: (queueUrl: string, body: string) => Promise<void>;
    lambda?: (functionArn: string, payload: unknown) => Promise<void>;
  };
  /** Port for MQTT over WebSocket and the data-plane HTTP API (default 0: any free port). */
  port?: number;
  /** Port for plain MQTT over TCP (default 0). */
  mqttPort?: number;
  /** Clock used to check presigned URL expiry (default: the system clock). */
  now?: () => Date;
}

export interface IotGatewayMessage {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  /** The publishing client, or undefined for data-plane/rule/lifecycle messages. */
  clientId?: string;
}

export type IotDisconnectReason =
  | 'AUTH_ERROR'
  | 'CLIENT_INITIATED_DISCONNECT'
  | 'CLIENT_ERROR'
  | 'CONNECTION_LOST'
  | 'DUPLICATE_CLIENTID'
  | 'MQTT_KEEP_ALIVE_TIMEOUT'
  | 'SERVER_INITIATED_DISCONNECT'
  | 'CUSTOMAUTH_TTL_EXPIRATION';

export interface IotGateway {
  /** `ws://127.0.0.1:PORT/mqtt` */
  wsUrl: string;
  /** `mqtt://127.0.0.1:PORT` */
  mqttUrl: string;
  /** `http://127.0.0.1:PORT`: `POST /topics/{topic}?qos=&retain=` like the IoT data plane (`AWS_ENDPOINT_URL_IOT_DATA_PLANE`). */
  dataPlaneEndpoint: string;
  /** `127.0.0.1:PORT`, the host to presign URLs for. */
  host: string;
  region: string;
  /** Presigns a `ws://` URL for this gateway (`presignIotUrl` with `host` and `region` filled in). */
  presign(credentials: IotSigningCredentials, options?: { expiresIn?: number; now?: Date }): string;
  /** Publishes as the service would through the data plane (runs rules, honours retain). */
  publish(topic: string, payload: string | Buffer | object, options?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
  /** Observes every message published on the broker (clients, data plane, rules, lifecycle events). */
  onMessage(listener: (message: IotGatewayMessage) => void): () => void;
  /** Every rule action run so far. */
  ruleActivity: IotRuleActivity[];
  onRuleActivity(listener: (activity: IotRuleActivity) => void): () => void;
  /** Resolves when no rule action is running. */
  idle(): Promise<void>;
  /** Connected clients. */
  connections(): Array<{ clientId: string; principal: string }>;
  /**
   * Cuts a client's connection as a network failure would (no DISCONNECT, lifecycle reason
   * `CONNECTION_LOST`): for reconnect tests. False when no such client is connected.
   */
  dropConnection(clientId: string): boolean;
  close(): Promise<void>;
}

export class IotGatewayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IotGatewayError';
  }
}

/** Refuses an MQTT CONNECT with a CONNACK return code (2: identifier rejected, 4: bad credentials, 5: not authorized). */
export class ConnectRefusedError extends Error {
  constructor(
    message: string,
    readonly returnCode: 2 | 4 | 5,
  ) {
    super(message);
    this.name = 'ConnectRefusedError';
  }
}
