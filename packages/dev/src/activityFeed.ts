/** One thing that happened in the dev environment, as the dashboard shows it. */
export type DevActivity =
  | {
      kind: 'invocation';
      service: string;
      functionName: string;
      logicalId: string;
      trigger: string;
      outcome: 'success' | 'error';
      durationMs: number;
      error?: { name: string; message: string; stack: string };
      at: string;
    }
  | {
      kind: 'bus';
      service: string;
      bus: string;
      /** The bus is a Pipe's target: this event is pipe output. */
      fromPipe: boolean;
      id: string;
      source: string;
      detailType: string;
      time: string;
      /** Columns the owning service declares for its events (`describeBusEvent` in its local.ts). */
      labels?: Record<string, unknown>;
      detail: unknown;
      at: string;
    }
  | {
      kind: 'queue';
      service: string;
      queue: string;
      functionName: string;
      messageId: string;
      messageGroupId?: string;
      receiveCount: number;
      body: unknown;
      outcome: 'success' | 'failed';
      at: string;
    }
  | { kind: 'mqtt'; topic: string; payload: string; clientId?: string; retain: boolean; at: string }
  | { kind: 'http'; service: string; routeKey: string; status: number; ms: number; at: string };

/** A bounded history plus live listeners (the dashboard's Server-Sent Events stream). */
export class ActivityFeed {
  private readonly history: DevActivity[] = [];
  private readonly listeners = new Set<(activity: DevActivity) => void>();

  constructor(private readonly limit = 500) {}

  publish(activity: DevActivity): void {
    this.history.push(activity);
    if (this.history.length > this.limit) this.history.splice(0, this.history.length - this.limit);
    for (const listener of this.listeners) listener(activity);
  }

  recent(): DevActivity[] {
    return [...this.history];
  }

  subscribe(listener: (activity: DevActivity) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
