import { type IotNamespace, IotPolicyBuilder, type IotPolicyDocument, iotPolicyResourceTag } from '@blueprints/common';
import { acceptableSubject } from './subject.js';

/** The custom authorizer response IoT Core expects (policy documents as JSON strings). */
export interface IotAuthorizerResponse {
  isAuthenticated: boolean;
  principalId: string;
  disconnectAfterInSeconds: number;
  refreshAfterInSeconds: number;
  policyDocuments: string[];
}

export interface SubjectPolicyOptions {
  region: string;
  accountId: string;
  partition?: string;
  /** The sensor topic rule's name: the subject may publish to its Basic Ingest topic only. */
  sensorRuleName: string;
  /** The deployment's names on the shared broker: every resource of the policy lies inside it. */
  namespace: IotNamespace;
}

/** IoT Core limits for custom authorizer responses. */
export const AUTHORIZER_LIMITS = {
  minSeconds: 300,
  maxSeconds: 86_400,
  maxPolicyDocuments: 10,
  maxPolicyDocumentLength: 2048,
  principalId: /^[a-zA-Z0-9]{1,128}$/,
} as const;

// The subject is also refused when it contains `-`, the separator in `<sub>-<suffix>` client ids.
const resource = iotPolicyResourceTag({ alsoForbid: '-', maxBytes: 64 });

/**
 * The Basic Ingest topic a subject publishes sensor readings to (no messaging charge; nobody can
 * subscribe to it), relative to the namespace: `$aws/rules/<rule>/updates/sensor/<sub>`.
 */
export function sensorIngestTopicName(sensorRuleName: string, subject: string): string {
  if (!/^[a-zA-Z0-9_]{1,128}$/.test(sensorRuleName)) throw new Error(`Invalid topic rule name "${sensorRuleName}"`);
  return `$aws/rules/${sensorRuleName}/updates/sensor/${acceptableSubject(subject)}`;
}

/** The full Basic Ingest topic: `$aws/rules/<rule>/<service>/<stage>/updates/sensor/<sub>`. */
export function sensorIngestTopic(sensorRuleName: string, subject: string, namespace: IotNamespace): string {
  return namespace.scopeTopic(sensorIngestTopicName(sensorRuleName, subject));
}

/**
 * The policy a signed-in subject gets, every name inside the deployment's namespace: connect as
 * `<service>_<stage>_<sub>-*`, subscribe to and receive `<service>/<stage>/updates/user/<sub>`,
 * publish to the sensor rule's Basic Ingest topic for `<sub>`. Nothing else.
 *
 * @example
 * subjectPolicy('alice', { region: 'us-east-1', accountId: '123456789012', sensorRuleName: 'iot_realtime_dev_sensor', namespace: new IotNamespace('iot-realtime', 'dev') });
 */
export function subjectPolicy(subject: string, options: SubjectPolicyOptions): IotPolicyDocument {
  const sub = acceptableSubject(subject);
  const builder = new IotPolicyBuilder({
    region: options.region,
    accountId: options.accountId,
    ...(options.partition ? { partition: options.partition } : {}),
    namespace: options.namespace,
  });
  const ingest = sensorIngestTopicName(options.sensorRuleName, sub);
  return builder
    .allowConnect([resource`${sub}-*`])
    .allowSubscribe([resource`updates/user/${sub}`])
    .allowReceive([resource`updates/user/${sub}`])
    .allowPublish([ingest])
    .build();
}

/** Clamps a duration to what IoT Core accepts for `disconnectAfterInSeconds` / `refreshAfterInSeconds`. */
export function authorizerSeconds(seconds: number): number {
  if (!Number.isFinite(seconds)) return AUTHORIZER_LIMITS.minSeconds;
  return Math.min(AUTHORIZER_LIMITS.maxSeconds, Math.max(AUTHORIZER_LIMITS.minSeconds, Math.floor(seconds)));
}

/**
 * The allow response for a verified subject. The connection is dropped when the token expires (at
 * least 300 s after connecting: IoT Core's minimum) and the policy is refreshed every 300 s.
 */
export function allowResponse(
  subject: string,
  tokenExpiresAt: Date,
  options: SubjectPolicyOptions & { now?: Date },
): IotAuthorizerResponse {
  const sub = acceptableSubject(subject);
  const now = options.now ?? new Date();
  const document = JSON.stringify(subjectPolicy(sub, options));
  if (document.length > AUTHORIZER_LIMITS.maxPolicyDocumentLength) {
    throw new Error(`Policy document is ${document.length} characters; IoT Core accepts at most 2048`);
  }
  // principalId allows [a-zA-Z0-9] only; the subject's underscores are dropped (logs only: never used for access).
  const principalId = sub.replace(/[^a-zA-Z0-9]/g, '').slice(0, 128) || 'subject';
  return {
    isAuthenticated: true,
    principalId,
    disconnectAfterInSeconds: authorizerSeconds((tokenExpiresAt.getTime() - now.getTime()) / 1000),
    refreshAfterInSeconds: AUTHORIZER_LIMITS.minSeconds,
    policyDocuments: [document],
  };
}

/** The response for anything that is not a valid, acceptable token. */
export function denyResponse(): IotAuthorizerResponse {
  return {
    isAuthenticated: false,
    principalId: 'denied',
    disconnectAfterInSeconds: AUTHORIZER_LIMITS.minSeconds,
    refreshAfterInSeconds: AUTHORIZER_LIMITS.minSeconds,
    policyDocuments: [],
  };
}
