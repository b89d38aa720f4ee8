/** IoT Core message broker limits (https://docs.aws.amazon.com/general/latest/gr/iot-core.html). */
export const IOT_LIMITS = {
  topicBytes: 256,
  /** Forward slashes in a topic or filter, not counting the `$aws/rules/RULE_NAME/` prefix of Basic Ingest. */
  topicSlashes: 7,
  payloadBytes: 128 * 1024,
  clientIdBytes: 128,
} as const;

const BASIC_INGEST = /^\$aws\/rules\/([^/]+)\/(.+)$/s;

/** `$aws/rules/NAME/rest` → `{ ruleName: 'NAME', topic: 'rest' }`, else undefined. */
export function parseBasicIngestTopic(topic: string): { ruleName: string; topic: string } | undefined {
  const match = BASIC_INGEST.exec(topic);
  return match ? { ruleName: match[1] as string, topic: match[2] as string } : undefined;
}

/** Why a topic or filter breaks IoT's limits, or undefined when it is fine. */
export function iotTopicLimitViolation(topicOrFilter: string): string | undefined {
  if (topicOrFilter === '') return 'topic is empty';
  const bytes = Buffer.byteLength(topicOrFilter, 'utf8');
  if (bytes > IOT_LIMITS.topicBytes) return `topic is ${bytes} bytes (max ${IOT_LIMITS.topicBytes})`;
  if (topicOrFilter.includes('\u0000')) return 'topic contains NUL';
  const counted = parseBasicIngestTopic(topicOrFilter)?.topic ?? topicOrFilter;
  const slashes = counted.split('/').length - 1;
  if (slashes > IOT_LIMITS.topicSlashes) return `topic has ${slashes} slashes (max ${IOT_LIMITS.topicSlashes})`;
  return undefined;
}

/**
 * MQTT topic filter matching (`+` one level, `#` this level and below). Per MQTT 3.1.1 §4.7.2, a filter starting
 * with a wildcard does not match topics starting with `$`.
 */
export function mqttTopicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}
