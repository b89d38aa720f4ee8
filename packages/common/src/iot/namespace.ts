import { InvalidIotPolicyError } from './errors.js';

/**
 * Service and stage names as CloudFormation stack names allow them: letters, digits and `-`. Neither
 * can contain `/` or `_`, which is why those two separate them below: no deployment's prefix can then
 * be the start of another's (`a-b` + `c` and `a` + `b-c` would both give `a-b-c-` with `-`).
 */
const NAME = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;
const BASIC_INGEST = /^(\$aws\/rules\/[A-Za-z0-9_]+\/)(.+)$/s;

/**
 * The names one deployment (service + stage) owns on an account's IoT Core broker, which every app
 * and stage in the account shares:
 * - topics and topic filters: `<service>/<stage>/<name>` (Basic Ingest: `$aws/rules/<rule>/<service>/<stage>/<name>`);
 * - client ids: `<service>_<stage>_<name>`.
 *
 * @example
 * const ns = new IotNamespace('live-feed', 'dev');
 * ns.topic('news');          // 'live-feed/dev/news'
 * ns.clientId('user-*');     // 'live-feed_dev_user-*'
 * ns.scopeTopic('$aws/rules/r/updates/sensor/a'); // '$aws/rules/r/live-feed/dev/updates/sensor/a'
 */
export class IotNamespace {
  /** `<service>/<stage>`: every topic of the deployment starts with this and `/`. */
  readonly topicPrefix: string;
  /** `<service>_<stage>_`: every client id of the deployment starts with this. */
  readonly clientIdPrefix: string;

  constructor(
    readonly service: string,
    readonly stage: string,
  ) {
    for (const [what, value] of [
      ['service', service],
      ['stage', stage],
    ] as const) {
      if (typeof value !== 'string' || !NAME.test(value)) {
        throw new InvalidIotPolicyError(
          `${what} name "${value}" must start with a letter and hold only letters, digits and "-" (at most 63)`,
        );
      }
    }
    this.topicPrefix = `${service}/${stage}`;
    this.clientIdPrefix = `${service}_${stage}_`;
  }

  /**
   * The namespace a deployment's `IOT_NAMESPACE` (`<service>/<stage>`) names.
   *
   * @example
   * IotNamespace.parse(process.env.IOT_NAMESPACE); // from `IOT_NAMESPACE: ${self:service}/${sls:stage}`
   */
  static parse(value: string | undefined): IotNamespace {
    const [service, stage, ...rest] = (value ?? '').split('/');
    if (!service || !stage || rest.length > 0) {
      throw new InvalidIotPolicyError(`an IoT namespace is "<service>/<stage>", got "${value}"`);
    }
    return new IotNamespace(service, stage);
  }

  /** `<service>/<stage>/<name>`; `name` is a topic, topic filter or policy pattern inside the namespace. */
  topic(name: string): string {
    if (typeof name !== 'string' || name === '' || name.startsWith('/') || name.startsWith('$')) {
      throw new InvalidIotPolicyError(`a namespaced topic needs a relative name, got "${name}"`);
    }
    return `${this.topicPrefix}/${name}`;
  }

  /** A topic or filter scoped to the namespace; a Basic Ingest topic keeps its `$aws/rules/<rule>/` in front. */
  scopeTopic(name: string): string {
    const ingest = BASIC_INGEST.exec(name);
    if (ingest) return `${ingest[1]}${this.topic(ingest[2] as string)}`;
    return this.topic(name);
  }

  /** `<service>_<stage>_<name>`. */
  clientId(name: string): string {
    if (typeof name !== 'string' || name === '') throw new InvalidIotPolicyError('a client id needs a name');
    return `${this.clientIdPrefix}${name}`;
  }

  /** Whether a topic (or a Basic Ingest topic) belongs to this deployment. */
  ownsTopic(topic: string): boolean {
    const rest = BASIC_INGEST.exec(topic)?.[2] ?? topic;
    return rest.startsWith(`${this.topicPrefix}/`);
  }

  /** Whether a client id belongs to this deployment. */
  ownsClientId(clientId: string): boolean {
    return clientId.startsWith(this.clientIdPrefix) && clientId.length > this.clientIdPrefix.length;
  }

  /** The part of a client id after the prefix; throws `InvalidIotPolicyError` for another deployment's id. */
  localClientId(clientId: string): string {
    if (!this.ownsClientId(clientId)) {
      throw new InvalidIotPolicyError(`client id does not start with "${this.clientIdPrefix}"`);
    }
    return clientId.slice(this.clientIdPrefix.length);
  }
}
