import type { CfnTemplate } from '@blueprints/packaging';
import { type Report, runLints, type Violation } from './checkTemplate.js';
import { asList, functionIdOf, isPlainObject, referencedIds, referencedOfType, resourcesOfType } from './references.js';

/**
 * Service principals that invoke a function asynchronously (Lambda queues the event and retries it
 * twice; after that it is dropped unless the function has an on-failure destination or a DLQ):
 * S3 notifications, SNS, EventBridge rules, IoT topic rules, CloudWatch Logs subscriptions and SES.
 * `iot.amazonaws.com` also invokes custom authorizers, synchronously: those are left out.
 * API Gateway, queue and stream event source mappings, and Pipes invoke synchronously.
 */
export const ASYNC_INVOKERS: readonly string[] = [
  's3.amazonaws.com',
  'sns.amazonaws.com',
  'events.amazonaws.com',
  'iot.amazonaws.com',
  'logs.amazonaws.com',
  'ses.amazonaws.com',
];

/** Metrics in `AWS/EventBridge/Pipes` that count records a pipe failed to deliver. */
export const PIPE_FAILURE_METRICS: readonly string[] = [
  'ExecutionFailed',
  'ExecutionPartiallyFailed',
  'ExecutionTimeout',
  'EnrichmentStageFailed',
  'TargetStageFailed',
  'TargetStagePartiallyFailed',
];

/** Where a queue is named as a dead-letter target, as `[path, value]` pairs found anywhere in a resource. */
function deadLetterTargets(
  value: unknown,
  path: string,
  found: Array<[string, unknown]> = [],
): Array<[string, unknown]> {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      deadLetterTargets(v, `${path}[${i}]`, found);
    });
    return found;
  }
  if (!isPlainObject(value)) return found;
  for (const [key, child] of Object.entries(value)) {
    const at = `${path}.${key}`;
    if (key === 'deadLetterTargetArn') found.push([at, child]);
    else if (key === 'DeadLetterConfig' && isPlainObject(child)) found.push([at, child.Arn ?? child.TargetArn]);
    else if (key === 'OnFailure' && isPlainObject(child)) found.push([at, child.Destination]);
    else if (key === 'ErrorAction' && isPlainObject(child) && isPlainObject(child.Sqs))
      found.push([at, child.Sqs.QueueUrl]);
    else deadLetterTargets(child, at, found);
  }
  return found;
}

/** What each alarm watches: the logical ids (and literal names) in its dimensions, with its metric names. */
function alarmWatches(template: CfnTemplate): Array<{ ids: Set<string>; names: Set<string>; metrics: Set<string> }> {
  return resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => {
    const p = alarm.Properties ?? {};
    const metricStats = asList(p.Metrics).map((m) => (isPlainObject(m) ? m.MetricStat : undefined));
    const metrics = metricStats.map((s) => (isPlainObject(s) ? s.Metric : undefined)).filter(isPlainObject);
    const dimensions = [...asList(p.Dimensions), ...metrics.flatMap((m) => asList(m.Dimensions))];
    const values = dimensions.map((d) => (isPlainObject(d) ? d.Value : undefined));
    return {
      ids: referencedIds(values),
      names: new Set(values.filter((v): v is string => typeof v === 'string')),
      metrics: new Set(
        [p.MetricName, ...metrics.map((m) => m.MetricName)].filter((m): m is string => typeof m === 'string'),
      ),
    };
  });
}

function isWatched(template: CfnTemplate, id: string, nameProperty: string, metrics?: readonly string[]): boolean {
  const name = template.Resources[id]?.Properties?.[nameProperty];
  return alarmWatches(template).some(
    (w) =>
      (w.ids.has(id) || (typeof name === 'string' && w.names.has(name))) &&
      (metrics === undefined || metrics.some((m) => w.metrics.has(m))),
  );
}

function lintDeadLetterAlarms(template: CfnTemplate, report: Report): void {
  const users = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    for (const [path, target] of deadLetterTargets(resource.Properties, 'Properties')) {
      for (const queue of referencedOfType(template, target, 'AWS::SQS::Queue')) {
        users.set(queue, [...(users.get(queue) ?? []), `${id} ${path}`]);
      }
    }
  }
  for (const [queue, usedBy] of users) {
    if (isWatched(template, queue, 'QueueName')) continue;
    report({
      resource: queue,
      path: '(resource)',
      rule: 'dlq-alarm',
      message:
        `dead-letter queue (of ${usedBy.join(', ')}) has no CloudWatch alarm, so failures land there unseen: ` +
        `add an AWS::CloudWatch::Alarm on AWS/SQS ApproximateNumberOfMessagesVisible with dimension QueueName = Fn::GetAtt [${queue}, QueueName]`,
    });
  }
}

function lintPipeAlarms(template: CfnTemplate, report: Report): void {
  for (const [id] of resourcesOfType(template, 'AWS::Pipes::Pipe')) {
    if (isWatched(template, id, 'Name', PIPE_FAILURE_METRICS)) continue;
    report({
      resource: id,
      path: '(resource)',
      rule: 'pipe-alarm',
      message:
        `pipe has no CloudWatch alarm on its failure metrics: add an AWS::CloudWatch::Alarm on AWS/EventBridge/Pipes ` +
        `(one of ${PIPE_FAILURE_METRICS.join(', ')}) with dimension PipeName = Ref ${id}`,
    });
  }
}

function authorizerFunctions(template: CfnTemplate): Set<string> {
  return new Set(
    resourcesOfType(template, 'AWS::IoT::Authorizer')
      .map(([, a]) => functionIdOf(template, a.Properties?.AuthorizerFunctionArn))
      .filter((id): id is string => id !== undefined),
  );
}

function hasOnFailureDestination(template: CfnTemplate, fn: string): boolean {
  const dlq = template.Resources[fn]?.Properties?.DeadLetterConfig;
  if (isPlainObject(dlq) && dlq.TargetArn !== undefined) return true;
  return resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig').some(([, config]) => {
    const onFailure = (config.Properties?.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)
      ?.OnFailure;
    return functionIdOf(template, config.Properties?.FunctionName) === fn && onFailure?.Destination !== undefined;
  });
}

function lintAsyncOnFailure(template: CfnTemplate, report: Report): void {
  const authorizers = authorizerFunctions(template);
  const invokers = new Map<string, string[]>();
  for (const [id, permission] of resourcesOfType(template, 'AWS::Lambda::Permission')) {
    const p = permission.Properties ?? {};
    const principal = p.Principal;
    if (typeof principal !== 'string' || !ASYNC_INVOKERS.includes(principal)) continue;
    const fn = functionIdOf(template, p.FunctionName);
    if (!fn) continue;
    if (principal === 'iot.amazonaws.com') {
      const source = p.SourceArn;
      const fromRule = referencedOfType(template, source, 'AWS::IoT::TopicRule').length > 0;
      const fromAuthorizer = referencedOfType(template, source, 'AWS::IoT::Authorizer').length > 0;
      if (fromAuthorizer || (authorizers.has(fn) && !fromRule)) continue;
    }
    invokers.set(fn, [...(invokers.get(fn) ?? []), `${id}: ${principal}`]);
  }
  for (const [fn, by] of invokers) {
    if (hasOnFailureDestination(template, fn)) continue;
    report({
      resource: fn,
      path: 'Properties.DeadLetterConfig',
      rule: 'async-on-failure',
      message:
        `function is invoked asynchronously (${by.join(', ')}) but has no on-failure destination, so an event ` +
        'that fails three times is dropped: add an AWS::Lambda::EventInvokeConfig with DestinationConfig.OnFailure ' +
        '(osls: destinations.onFailure) or a DeadLetterConfig (osls: onError) naming a queue',
    });
  }
}

function lintTopicRuleErrorActions(template: CfnTemplate, report: Report): void {
  for (const [id, rule] of resourcesOfType(template, 'AWS::IoT::TopicRule')) {
    const payload = rule.Properties?.TopicRulePayload;
    if (isPlainObject(payload) && payload.ErrorAction !== undefined) continue;
    report({
      resource: id,
      path: 'Properties.TopicRulePayload.ErrorAction',
      rule: 'iot-error-action',
      message:
        'topic rule has no ErrorAction, so a message whose action fails (throttled queue, failing function) is lost: ' +
        'add TopicRulePayload.ErrorAction, e.g. Sqs to a dead-letter queue that has an alarm',
    });
  }
}

function lintRuleTargets(template: CfnTemplate, report: Report): void {
  for (const [id, rule] of resourcesOfType(template, 'AWS::Events::Rule')) {
    asList(rule.Properties?.Targets).forEach((raw, i) => {
      const target = isPlainObject(raw) ? raw : {};
      const deadLetter = target.DeadLetterConfig;
      const missing = [
        isPlainObject(deadLetter) && deadLetter.Arn !== undefined ? undefined : 'DeadLetterConfig.Arn',
        target.RetryPolicy === undefined ? 'RetryPolicy' : undefined,
      ].filter((m): m is string => m !== undefined);
      if (missing.length === 0) return;
      report({
        resource: id,
        path: `Properties.Targets[${i}]`,
        rule: 'rule-target-dlq',
        message:
          `target "${String(target.Id ?? i)}" has no ${missing.join(' and no ')}: an event EventBridge cannot deliver ` +
          'is dropped once the (default 24 h) retries run out; give every target a RetryPolicy and a DeadLetterConfig ' +
          'queue (osls eventBridge events: retryPolicy and deadLetterQueueArn)',
      });
    });
  }
}

/**
 * Every asynchronous hop has a failure path that someone sees: every dead-letter queue (of a queue,
 * a function, a rule target, a pipe, a topic rule) and every pipe has a CloudWatch alarm; every
 * function invoked asynchronously has an on-failure destination; every IoT topic rule has an error
 * action; every EventBridge rule target has a retry policy and a dead-letter queue.
 *
 * @example
 * const violations = lintFailurePaths(template);
 */
export function lintFailurePaths(template: CfnTemplate): Violation[] {
  return runLints(template, [
    lintDeadLetterAlarms,
    lintPipeAlarms,
    lintAsyncOnFailure,
    lintTopicRuleErrorActions,
    lintRuleTargets,
  ]);
}
