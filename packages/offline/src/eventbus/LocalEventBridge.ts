import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resourcesOfType, type TemplateResolver } from '../cloudformation/template.js';
import type { LocalFirehose } from '../firehose/LocalFirehose.js';
import type { LocalLambda } from '../lambda/LocalLambda.js';
import { type CompiledEventPattern, compileEventPattern, InvalidEventPatternError } from './eventPattern.js';
import { readJsonPath, type TargetInputSpec, targetPayload } from './inputTransformer.js';

/** The stand-ins a template's rule targets are delivered to. */
export interface LocalTargets {
  lambda?: LocalLambda;
  sqs?: {
    sendMessage(
      queueUrlOrArn: string,
      body: string,
      opts: {
        messageGroupId?: string;
        messageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
      },
    ): Promise<unknown>;
  };
  firehose?: LocalFirehose;
}

/** A PutEvents request entry, as the SDK sends it. */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  EventBusName?: string;
  /** A Date, an ISO string or epoch seconds (what the JSON protocol carries). */
  Time?: Date | string | number;
  TraceHeader?: string;
}

export interface PutEventsResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

/** An event as EventBridge delivers it to targets. */
export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** Where an accepted event was put. */
export interface AcceptedEventInfo {
  busName: string;
  busArn: string;
}

export interface RuleTarget extends TargetInputSpec {
  id: string;
  arn: string;
  /** `SqsParameters.MessageGroupId`: a literal, or a `$.detail.x` path into the event. */
  messageGroupId?: string;
  /** `DeadLetterConfig.Arn`: the SQS queue that receives events this target could not take. */
  deadLetterArn?: string;
}

export interface LocalRule {
  name: string;
  arn: string;
  busName: string;
  eventPattern: unknown;
  state: 'ENABLED' | 'DISABLED';
  targets: RuleTarget[];
}

/** One attempt to deliver an event to one rule target. */
export interface EventDelivery {
  rule: string;
  ruleArn: string;
  busName: string;
  targetId: string;
  targetArn: string;
  eventId: string;
  payload: string;
  messageGroupId?: string;
  ok: boolean;
  result?: unknown;
  error?: string;
  /**
   * The Lambda function itself failed. EventBridge invokes Lambda asynchronously, so that is
   * Lambda's failure (its own retries and destinations), not a failed delivery: no dead-letter queue.
   */
  functionError?: boolean;
  /** The event went to the target's dead-letter queue. */
  deadLettered?: boolean;
  at: Date;
}

export class EventBridgeValidationError extends Error {
  readonly code = 'ValidationException';
  constructor(message: string) {
    super(message);
    this.name = 'EventBridgeValidationError';
  }
}

class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface LocalEventBridgeOptions {
  port?: number;
  region?: string;
  accountId?: string;
}

/** AWS: 256 KB for all entries of one PutEvents call. */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;
export const PUT_EVENTS_MAX_ENTRIES = 10;

/**
 * The size AWS counts for a PutEvents entry: 14 bytes when `Time` is set, plus the UTF-8 bytes of
 * Source, DetailType, Detail and each Resource.
 */
export function putEventsEntrySize(entry: PutEventsEntry): number {
  let size = entry.Time !== undefined && entry.Time !== null ? 14 : 0;
  for (const text of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    if (typeof text === 'string') size += Buffer.byteLength(text, 'utf8');
  }
  return size;
}

interface RegisteredRule extends LocalRule {
  matches: CompiledEventPattern;
  deliverTo: LocalTargets;
}

const busNameOf = (nameOrArn: string): string => nameOrArn.replace(/^arn:[^:]+:events:[^:]*:[^:]*:event-bus\//, '');

/**
 * A local Amazon EventBridge: the PutEvents API over the JSON 1.1 protocol (so a plain
 * `EventBridgeClient` with `AWS_ENDPOINT_URL_EVENTBRIDGE` works), buses and rules read from a
 * packaged template, and asynchronous, observable delivery to Lambda, SQS, Firehose and other buses.
 *
 * @example
 * const bus = await LocalEventBridge.start();
 * bus.loadTemplate(resolver, { lambda, sqs, firehose });
 * process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;
 * // ... the handler calls PutEvents ...
 * await bus.idle();
 * bus.deliveries; // what each target received
 */
export class LocalEventBridge {
  readonly region: string;
  readonly accountId: string;
  /** Every delivery attempt, oldest first. */
  readonly deliveries: EventDelivery[] = [];
  private readonly buses = new Map<string, string>();
  private readonly rules = new Map<string, RegisteredRule>();
  private readonly eventListeners = new Set<(event: EventBridgeEvent, info: AcceptedEventInfo) => void>();
  private readonly deliveryListeners = new Set<(delivery: EventDelivery) => void>();
  private readonly pending = new Set<Promise<void>>();
  private server?: Server;
  private port = 0;

  constructor(options: Omit<LocalEventBridgeOptions, 'port'> = {}) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.addEventBus('default');
  }

  /** Starts the HTTP endpoint on 127.0.0.1 (port 0 = any free port). */
  static async start(options: LocalEventBridgeOptions = {}): Promise<LocalEventBridge> {
    const bus = new LocalEventBridge(options);
    await bus.listen(options.port ?? 0);
    return bus;
  }

  get endpoint(): string {
    if (!this.server) throw new Error('LocalEventBridge is not listening: use LocalEventBridge.start()');
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    await this.idle();
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    }
  }

  busArn(name: string): string {
    return `arn:aws:events:${this.region}:${this.accountId}:event-bus/${name}`;
  }

  get eventBuses(): Array<{ name: string; arn: string }> {
    return [...this.buses].map(([name, arn]) => ({ name, arn }));
  }

  get localRules(): LocalRule[] {
    return [...this.rules.values()].map(({ matches: _m, deliverTo: _d, ...rule }) => rule);
  }

  addEventBus(nameOrArn: string): string {
    const name = busNameOf(nameOrArn);
    if (!this.buses.has(name)) this.buses.set(name, this.busArn(name));
    return name;
  }

  /** Registers (or replaces) a rule; throws `InvalidEventPatternError` for a malformed pattern. */
  putRule(rule: Omit<LocalRule, 'arn' | 'state'> & { state?: LocalRule['state'] }, deliverTo: LocalTargets): LocalRule {
    const busName = busNameOf(rule.busName);
    if (!this.buses.has(busName))
      throw new ApiError('ResourceNotFoundException', `Event bus ${busName} does not exist.`);
    let matches: CompiledEventPattern;
    try {
      matches = compileEventPattern(rule.eventPattern);
    } catch (error) {
      if (error instanceof InvalidEventPatternError) {
        error.message = `Rule ${rule.name}: ${error.message}`;
      }
      throw error;
    }
    const arn =
      busName === 'default'
        ? `arn:aws:events:${this.region}:${this.accountId}:rule/${rule.name}`
        : `arn:aws:events:${this.region}:${this.accountId}:rule/${busName}/${rule.name}`;
    const registered: RegisteredRule = {
      ...rule,
      busName,
      arn,
      state: rule.state ?? 'ENABLED',
      matches,
      deliverTo,
    };
    this.rules.set(`${busName}/${rule.name}`, registered);
    return {
      name: rule.name,
      arn,
      busName,
      eventPattern: rule.eventPattern,
      state: registered.state,
      targets: rule.targets,
    };
  }

  /**
   * Registers the `AWS::Events::EventBus`es and the pattern-based `AWS::Events::Rule`s of a packaged
   * template, delivering to `targets`. Returns what was registered; schedule-only rules are listed
   * as skipped.
   */
  loadTemplate(
    resolver: TemplateResolver,
    targets: LocalTargets,
  ): { buses: string[]; rules: LocalRule[]; skipped: Array<{ logicalId: string; reason: string }> } {
    const buses = resourcesOfType(resolver.template, 'AWS::Events::EventBus', resolver.stack).map(([logicalId]) =>
      this.addEventBus(resolver.physicalName(logicalId)),
    );
    const rules: LocalRule[] = [];
    const skipped: Array<{ logicalId: string; reason: string }> = [];
    for (const [logicalId, resource] of resourcesOfType(resolver.template, 'AWS::Events::Rule', resolver.stack)) {
      const props = resolver.resolve(resource.Properties ?? {}, logicalId) as Record<string, unknown>;
      if (props.EventPattern === undefined) {
        skipped.push({ logicalId, reason: 'no EventPattern (schedule rules do not run locally)' });
        continue;
      }
      const state = props.State === 'DISABLED' ? 'DISABLED' : 'ENABLED';
      const rawTargets = (props.Targets ?? []) as Array<Record<string, unknown>>;
      rules.push(
        this.putRule(
          {
            name: resolver.physicalName(logicalId),
            busName: busNameOf(String(props.EventBusName ?? 'default')),
            eventPattern: typeof props.EventPattern === 'string' ? JSON.parse(props.EventPattern) : props.EventPattern,
            state,
            targets: rawTargets.map((t) => ruleTargetFromTemplate(t)),
          },
          targets,
        ),
      );
    }
    return { buses, rules, skipped };
  }

  /** Observes every accepted event. Returns a function that stops observing. */
  onEvent(listener: (event: EventBridgeEvent, info: AcceptedEventInfo) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Observes every delivery attempt (success or failure). Returns a function that stops observing. */
  onDelivery(listener: (delivery: EventDelivery) => void): () => void {
    this.deliveryListeners.add(listener);
    return () => this.deliveryListeners.delete(listener);
  }

  /** Resolves when every delivery started so far (and those it caused) has settled. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * PutEvents in-process, with the validation AWS applies. Throws `EventBridgeValidationError`
   * for more than 10 entries or more than 256 KB; per-entry problems come back as ErrorCode.
   */
  putEvents(entries: PutEventsEntry[]): PutEventsResult {
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new EventBridgeValidationError(
        "1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    }
    if (entries.length > PUT_EVENTS_MAX_ENTRIES) {
      throw new EventBridgeValidationError(
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${PUT_EVENTS_MAX_ENTRIES}`,
      );
    }
    const total = entries.reduce((sum, e) => sum + putEventsEntrySize(e), 0);
    if (total > PUT_EVENTS_MAX_BYTES) {
      throw new EventBridgeValidationError(
        `Total size of the entries in the request is over the limit (${total} bytes > ${PUT_EVENTS_MAX_BYTES}).`,
      );
    }
    const results = entries.map((entry) => this.acceptEntry(entry));
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  private acceptEntry(entry: PutEventsEntry): PutEventsResultEntry {
    const fail = (ErrorCode: string, ErrorMessage: string) => ({ ErrorCode, ErrorMessage });
    const busName = busNameOf(entry.EventBusName || 'default');
    if (!this.buses.has(busName)) return fail('ResourceNotFoundException', `Event bus ${busName} does not exist.`);
    for (const field of ['Source', 'DetailType', 'Detail'] as const) {
      if (typeof entry[field] !== 'string' || entry[field] === '') {
        return fail('InvalidArgument', `Parameter ${field} is not valid. Reason: ${field} is a required argument.`);
      }
    }
    if ((entry.Source as string).startsWith('aws.')) {
      return fail('NotAuthorizedForSourceException', 'Not authorized for the source.');
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail as string);
    } catch {
      return fail('MalformedDetail', 'Detail is malformed.');
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return fail('MalformedDetail', 'Detail is malformed.');
    }
    const resources = entry.Resources ?? [];
    const notArn = resources.find((r) => typeof r !== 'string' || !r.startsWith('arn:'));
    if (notArn !== undefined) {
      return fail(
        'InvalidArgument',
        `Parameter Resources is not valid. Reason: ${JSON.stringify(notArn)} is not an ARN.`,
      );
    }
    let time = new Date();
    if (entry.Time !== undefined && entry.Time !== null) {
      const t =
        entry.Time instanceof Date
          ? entry.Time
          : new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time);
      if (Number.isNaN(t.getTime())) return fail('InvalidArgument', 'Parameter Time is not valid.');
      time = t;
    }
    const event: EventBridgeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType as string,
      source: entry.Source as string,
      account: this.accountId,
      time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.region,
      resources,
      detail: detail as Record<string, unknown>,
    };
    this.route(busName, event);
    return { EventId: event.id };
  }

  private route(busName: string, event: EventBridgeEvent, hops = 0): void {
    const info = { busName, busArn: this.busArn(busName) };
    for (const listener of this.eventListeners) {
      try {
        listener(event, info);
      } catch {
        // An observer's bug must not fail a PutEvents call.
      }
    }
    const ingestionTime = new Date().toISOString();
    for (const rule of this.rules.values()) {
      if (rule.busName !== busName || rule.state !== 'ENABLED' || !rule.matches(event)) continue;
      for (const target of rule.targets) {
        const delivery = this.deliver(rule, target, event, ingestionTime, hops);
        this.pending.add(delivery);
        delivery.finally(() => this.pending.delete(delivery));
      }
    }
  }

  private async deliver(
    rule: RegisteredRule,
    target: RuleTarget,
    event: EventBridgeEvent,
    ingestionTime: string,
    hops: number,
  ): Promise<void> {
    // Delivery is asynchronous, as in AWS: PutEvents has returned before any target runs.
    await new Promise((resolve) => setImmediate(resolve));
    const record: EventDelivery = {
      rule: rule.name,
      ruleArn: rule.arn,
      busName: rule.busName,
      targetId: target.id,
      targetArn: target.arn,
      eventId: event.id,
      payload: '',
      ok: false,
      at: new Date(),
    };
    try {
      record.payload = targetPayload(target, event as unknown as Record<string, unknown>, {
        ruleArn: rule.arn,
        ruleName: rule.name,
        ingestionTime,
      });
      const service = target.arn.split(':')[2];
      switch (service) {
        case 'lambda': {
          if (!rule.deliverTo.lambda) throw new Error('no local Lambda service was given for this template');
          let payload: unknown = record.payload;
          try {
            payload = JSON.parse(record.payload);
          } catch {
            // Lambda receives the text as-is when it is not JSON.
          }
          const lambda = rule.deliverTo.lambda;
          lambda.find(target.arn);
          try {
            record.result = await lambda.invoke(target.arn, payload);
          } catch (error) {
            record.functionError = true;
            throw error;
          }
          break;
        }
        case 'sqs': {
          if (!rule.deliverTo.sqs) throw new Error('no local SQS was given for this template');
          if (target.messageGroupId !== undefined) {
            record.messageGroupId = resolveDynamicParameter(target.messageGroupId, event, 'MessageGroupId');
          }
          record.result = await rule.deliverTo.sqs.sendMessage(target.arn, record.payload, {
            messageGroupId: record.messageGroupId,
          });
          break;
        }
        case 'firehose': {
          if (!rule.deliverTo.firehose) throw new Error('no local Firehose was given for this template');
          record.result = await rule.deliverTo.firehose.putRecord(target.arn, record.payload);
          break;
        }
        case 'events': {
          const next = busNameOf(target.arn);
          if (!this.buses.has(next)) throw new Error(`event bus ${next} does not exist`);
          if (hops >= 5) throw new Error('event forwarded across more than 5 buses: a loop?');
          this.route(next, event, hops + 1);
          break;
        }
        default:
          throw new Error(`target service "${service}" is not supported locally`);
      }
      record.ok = true;
    } catch (error) {
      record.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (!record.functionError && target.deadLetterArn) {
        record.deadLettered = await this.deadLetter(rule, target, event, error);
      }
    }
    this.deliveries.push(record);
    for (const listener of this.deliveryListeners) {
      try {
        listener(record);
      } catch {
        // Observers cannot break delivery.
      }
    }
  }

  /** Sends the event to the target's DLQ with the attributes EventBridge sets. True when it got there. */
  private async deadLetter(
    rule: RegisteredRule,
    target: RuleTarget,
    event: EventBridgeEvent,
    error: unknown,
  ): Promise<boolean> {
    if (!rule.deliverTo.sqs || !target.deadLetterArn) return false;
    const text = (value: string) => ({ DataType: 'String', StringValue: value });
    try {
      await rule.deliverTo.sqs.sendMessage(target.deadLetterArn, JSON.stringify(event), {
        messageAttributes: {
          RULE_ARN: text(rule.arn),
          TARGET_ARN: text(target.arn),
          ERROR_CODE: text(error instanceof Error ? error.name : 'Error'),
          ERROR_MESSAGE: text(error instanceof Error ? error.message : String(error)),
        },
      });
      return true;
    } catch {
      return false;
    }
  }

  // -------------------------------------------------------------------------------------------
  // HTTP: the EventBridge JSON 1.1 protocol

  private async listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        if (!res.headersSent) this.sendError(res, new ApiError('InternalException', String(error), 500));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(`Local EventBridge cannot listen: port ${port} on 127.0.0.1 is already in use`)
            : error,
        ),
      );
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AWSEvents.') ? target.slice('AWSEvents.'.length) : '';
    let body: Record<string, unknown>;
    try {
      body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      this.sendError(res, new ApiError('SerializationException', 'Request body is not valid JSON'));
      return;
    }
    try {
      this.send(res, this.operation(operation, body));
    } catch (error) {
      if (error instanceof EventBridgeValidationError) this.sendError(res, new ApiError(error.code, error.message));
      else if (error instanceof InvalidEventPatternError)
        this.sendError(res, new ApiError('InvalidEventPatternException', error.message));
      else if (error instanceof ApiError) this.sendError(res, error);
      else throw error;
    }
  }

  private operation(name: string, body: Record<string, unknown>): unknown {
    switch (name) {
      case 'PutEvents':
        return this.putEvents(body.Entries as PutEventsEntry[]);
      case 'TestEventPattern':
        return {
          Result: compileEventPattern(String(body.EventPattern ?? ''))(JSON.parse(String(body.Event ?? 'null'))),
        };
      case 'ListEventBuses':
        return { EventBuses: this.eventBuses.map((b) => ({ Name: b.name, Arn: b.arn })) };
      case 'DescribeEventBus': {
        const name = busNameOf(String(body.Name ?? 'default'));
        const arn = this.buses.get(name);
        if (!arn) throw new ApiError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
        return { Name: name, Arn: arn };
      }
      case 'ListRules': {
        const busName = busNameOf(String(body.EventBusName ?? 'default'));
        return {
          Rules: this.localRules
            .filter((r) => r.busName === busName && (!body.NamePrefix || r.name.startsWith(String(body.NamePrefix))))
            .map((r) => ({
              Name: r.name,
              Arn: r.arn,
              EventBusName: r.busName,
              EventPattern: JSON.stringify(r.eventPattern),
              State: r.state,
            })),
        };
      }
      default:
        throw new ApiError(
          'UnknownOperationException',
          `Operation "${name || '(none)'}" is not supported by the local EventBridge`,
        );
    }
  }

  private send(res: ServerResponse, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(200, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(text);
  }

  private sendError(res: ServerResponse, error: ApiError): void {
    const text = JSON.stringify({ __type: error.code, message: error.message });
    res.writeHead(error.status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-errortype': error.code,
      'x-amzn-requestid': randomUUID(),
    });
    res.end(text);
  }
}

/** A dynamic path parameter (`$.detail.brand`) or a literal. */
function resolveDynamicParameter(value: string, event: EventBridgeEvent, name: string): string {
  if (!value.startsWith('$.')) return value;
  const resolved = readJsonPath(event, value);
  if (resolved === undefined || resolved === null || typeof resolved === 'object') {
    throw new Error(`${name} path ${value} does not resolve to a value in event ${event.id}`);
  }
  return String(resolved);
}

function ruleTargetFromTemplate(t: Record<string, unknown>): RuleTarget {
  const transformer = t.InputTransformer as
    | { InputPathsMap?: Record<string, string>; InputTemplate?: string }
    | undefined;
  const sqs = t.SqsParameters as { MessageGroupId?: string } | undefined;
  const deadLetter = t.DeadLetterConfig as { Arn?: string } | undefined;
  return {
    id: String(t.Id),
    arn: String(t.Arn),
    input: t.Input === undefined ? undefined : String(t.Input),
    inputPath: t.InputPath === undefined ? undefined : String(t.InputPath),
    inputTransformer: transformer
      ? { inputPathsMap: transformer.InputPathsMap, inputTemplate: String(transformer.InputTemplate ?? '') }
      : undefined,
    messageGroupId: sqs?.MessageGroupId,
    deadLetterArn: deadLetter?.Arn,
  };
}
