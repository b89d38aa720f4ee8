// Types for realtimeClient.js (plain JavaScript so the page can load it without a build step).

export interface ConnectionDetails {
  url: string;
  /** A fresh id per connection: IoT Core drops the older of two connections with one id. */
  clientId: string;
  username?: string;
  password?: string;
  /** When these credentials stop opening connections (epoch ms or ISO date); the client moves on before. */
  expiresAt?: number | string;
}

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

export type RealtimeState = 'connecting' | 'connected' | 'waiting' | 'refreshing' | 'stopped';

export interface RealtimeStateDetail {
  attempt?: number;
  delayMs?: number;
  error?: string;
  clientId?: string;
  refreshed?: boolean;
  refreshError?: string;
}

/** The part of mqtt.js the client uses (`import mqtt from 'mqtt'` or the browser build). */
export interface MqttModule {
  // biome-ignore lint/suspicious/noExplicitAny: mqtt.js's own client type, whichever build is passed
  connect(url: string, options: Record<string, unknown>): any;
}

export interface RealtimeClientOptions {
  mqtt: MqttModule;
  connection: () => Promise<ConnectionDetails>;
  subscriptions?: string[];
  onMessage?: (topic: string, payload: Uint8Array) => void;
  onState?: (state: RealtimeState, detail: RealtimeStateDetail) => void;
  backoff?: Backoff;
  refreshBeforeMs?: number;
  connectTimeoutMs?: number;
  random?: () => number;
  now?: () => number;
}

export interface RealtimeClient {
  start(): void;
  stop(): void;
  subscribe(topic: string): Promise<void>;
  publish(topic: string, payload: string | Uint8Array, options?: { qos?: 0 | 1 }): Promise<void>;
  readonly state: RealtimeState;
  readonly clientId: string | undefined;
}

export const DEFAULT_BACKOFF: Readonly<Backoff>;
export class NotConnectedError extends Error {}
export function fullJitterDelay(attempt: number, backoff?: Backoff, random?: () => number): number;
export function createRealtimeClient(options: RealtimeClientOptions): RealtimeClient;
