import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PUT_EVENTS_MAX_REQUEST_BYTES } from '@blueprints/common';
import type { LocalLambda } from '@blueprints/local-runtime';
import { maxJsonBodyBytes, readLimitedBody } from '@blueprints/local-runtime';
import { resourcesOfType, type TemplateResolver } from '@blueprints/packaging';
import { type CompiledEventPattern, compileEventPattern, InvalidEventPatternError } from './eventPattern.js';
import { readJsonPath, type TargetInputSpec, targetPayload } from './inputTransformer.js';
import type { LocalFirehose } from './LocalFirehose.js';
import {
  checkPutEventsEntries,
  EventBridgeRequestError,
  EventBridgeSerializationError,
  EventBridgeValidationError,
  type PutEventsEntry,
} from './putEventsRequest.js';

export type { PutEventsEntry } from './putEventsRequest.js';

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

export interface LocalEventBridgeOptions {
  port?: number;
  region?: string;
  accountId?: string;
}

/**
 * The largest PutEvents body read: the JSON of a request at `PUT_EVENTS_MAX_REQUEST_BYTES` with every
 * byte escaped, plus room for names. Larger bodies get a 413 while they are still arriving; smaller
 * ones are parsed and held to the exact AWS limits.
 */
export const PUT_EVENTS_MAX_BODY_BYTES = maxJsonBodyBytes(PUT_EVENTS_MAX_REQUEST_BYTES);

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
      throw new EventBridgeRequestError('ResourceNotFoundException', `Event bus ${busName} does not exist.`);
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

  /** Removes a rule (a service rewired without it); answers whether there was one. */
  deleteRule(busNameOrArn: string, name: string): boolean {
    return this.rules.delete(`${busNameOf(busNameOrArn)}/${name}`);
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
   * PutEvents in-process, with the validation AWS applies (`checkPutEventsEntries`: entry count, field
   * types, `PUT_EVENTS_MAX_ENTRY_BYTES` / `PUT_EVENTS_MAX_REQUEST_BYTES` from @blueprints/common). Throws an
   * `EventBridgeRequestError` for a request AWS refuses whole; per-entry problems come back as ErrorCode.
   */
  putEvents(entries: unknown): PutEventsResult {
    const results = checkPutEventsEntries(entries).map((entry) => this.acceptEntry(entry));
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
      this.handle(req, res).catch(() => {
        // A bug here, not the caller's fault: answer like AWS would, without leaking JavaScript internals.
        this.sendError(
          res,
          new EventBridgeRequestError('InternalException', 'The local EventBridge failed to process the request.', 500),
        );
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
    const read = await readLimitedBody(req, PUT_EVENTS_MAX_BODY_BYTES);
    if (read.tooLarge) {
      this.sendError(
        res,
        new EventBridgeRequestError(
          'RequestEntityTooLargeException',
          `Request body is larger than ${PUT_EVENTS_MAX_BODY_BYTES} bytes; PutEvents accepts at most ${PUT_EVENTS_MAX_REQUEST_BYTES} bytes of entries.`,
          413,
        ),
        { connection: 'close' },
      );
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AWSEvents.') ? target.slice('AWSEvents.'.length) : '';
    try {
      this.send(res, this.operation(operation, parseJsonObject(read.body)));
    } catch (error) {
      if (error instanceof EventBridgeRequestError) this.sendError(res, error);
      else if (error instanceof InvalidEventPatternError)
        this.sendError(res, new EventBridgeRequestError('InvalidEventPatternException', error.message));
      else throw error;
    }
  }

  private operation(name: string, body: Record<string, unknown>): unknown {
    switch (name) {
      case 'PutEvents':
        return this.putEvents(body.Entries);
      case 'TestEventPattern': {
        const event = stringField(body, 'Event') ?? 'null';
        let parsed: unknown;
        try {
          parsed = JSON.parse(event);
        } catch {
          throw new EventBridgeValidationError('Parameter Event is not valid.');
        }
        return { Result: compileEventPattern(stringField(body, 'EventPattern') ?? '')(parsed) };
      }
      case 'ListEventBuses':
        return { EventBuses: this.eventBuses.map((b) => ({ Name: b.name, Arn: b.arn })) };
      case 'DescribeEventBus': {
        const name = busNameOf(stringField(body, 'Name') ?? 'default');
        const arn = this.buses.get(name);
        if (!arn) throw new EventBridgeRequestError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
        return { Name: name, Arn: arn };
      }
      case 'ListRules': {
        const busName = busNameOf(stringField(body, 'EventBusName') ?? 'default');
        const prefix = stringField(body, 'NamePrefix');
        return {
          Rules: this.localRules
            .filter((r) => r.busName === busName && (!prefix || r.name.startsWith(prefix)))
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
        throw new EventBridgeRequestError(
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

  private sendError(res: ServerResponse, error: EventBridgeRequestError, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify({ __type: error.code, message: error.message });
    res.writeHead(error.status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-errortype': error.code,
      'x-amzn-requestid': randomUUID(),
      ...headers,
    });
    res.end(text);
  }
}

/** The request body as a JSON object; anything else is a `SerializationException`, as in AWS. */
function parseJsonObject(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EventBridgeSerializationError('Request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new EventBridgeSerializationError('Request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** An optional string member of the request; another type is a `SerializationException`. */
function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new EventBridgeSerializationError(`${name} must be a string`);
  return value;
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
