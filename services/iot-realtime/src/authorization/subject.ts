import type { IotNamespace } from '@blueprints/common';

/**
 * Who may appear in a policy. A JWT subject becomes part of client ids (`<sub>-*`) and topics
 * (`updates/user/<sub>`), so it must not be able to widen them: no IAM wildcards (`*`, `?`), no
 * MQTT wildcards or levels (`+`, `#`, `/`), no policy variables (`${`), and no `-`, because `-`
 * separates the subject from the client's own suffix: were `a` allowed to connect as `a-b-1`,
 * it could pose as subject `a-b`. Anything else is refused, not escaped, so one subject maps to
 * exactly one set of resources.
 */
export const SUBJECT_PATTERN = /^[A-Za-z0-9_]{1,64}$/;

/**
 * Client ids of anonymous (presigned URL) clients start with this inside the deployment's namespace
 * (`<service>_<stage>_user-`); no signed-in subject may claim it.
 */
export const ANONYMOUS_CLIENT_ID_PREFIX = 'user-';
const RESERVED_SUBJECTS = new Set([ANONYMOUS_CLIENT_ID_PREFIX.slice(0, -1)]);

export class UnacceptableSubjectError extends Error {
  constructor(reason: string) {
    super(`Unacceptable subject: ${reason}`);
    this.name = 'UnacceptableSubjectError';
  }
}

/**
 * Returns the subject when it is safe to embed in this service's policies and topics, throws otherwise.
 *
 * @example
 * acceptableSubject('alice_42'); // 'alice_42'
 * acceptableSubject('alice/#');  // throws UnacceptableSubjectError
 */
export function acceptableSubject(subject: unknown): string {
  if (typeof subject !== 'string') throw new UnacceptableSubjectError('not a string');
  if (!SUBJECT_PATTERN.test(subject)) {
    throw new UnacceptableSubjectError(`must match ${SUBJECT_PATTERN} (got ${subject.length} characters)`);
  }
  if (RESERVED_SUBJECTS.has(subject.toLowerCase()))
    throw new UnacceptableSubjectError('reserved for anonymous clients');
  return subject;
}

/** The topic a subject receives its own messages on, relative to the namespace (`updates/user/<sub>`). */
export function userTopicName(subject: string): string {
  return `updates/user/${acceptableSubject(subject)}`;
}

/** The full topic a subject receives its own messages on: `<service>/<stage>/updates/user/<sub>`. */
export function userTopic(subject: string, namespace: IotNamespace): string {
  return namespace.topic(userTopicName(subject));
}
