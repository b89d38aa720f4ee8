import type { AedesOptions } from 'aedes';
import { IOT_LIMITS, iotTopicLimitViolation, parseBasicIngestTopic } from '../topics.js';
import { type GatewayState, iotArn, RESERVED_PUBLISH, refuse, sessionAllows } from './session.js';

type Hooks = Required<Pick<AedesOptions, 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>>;

/**
 * The aedes policy hooks: `iot:Publish`/`iot:RetainPublish` on PUBLISH, `iot:Subscribe` on SUBSCRIBE and
 * `iot:Receive` on delivery. A forbidden PUBLISH or SUBSCRIBE disconnects the client, as IoT Core does.
 */
export function authorizeHooks(state: GatewayState): Hooks {
  return {
    authorizePublish: authorizePublish(state),
    authorizeSubscribe: authorizeSubscribe(state),
    authorizeForward: authorizeForward(state),
  };
}

function authorizePublish(state: GatewayState): Hooks['authorizePublish'] {
  return (client, packet, done) => {
    // No client: the broker itself publishes (data plane, rules, lifecycle events).
    if (!client) return done(null);
    const session = state.sessions.get(client);
    const topic = packet.topic;
    const resource = iotArn(state, 'topic', topic);
    if (packet.qos > 1) return done(refuse(state, client, 'CLIENT_ERROR', 'IoT Core does not support QoS 2'));
    const violation = iotTopicLimitViolation(topic);
    if (violation) return done(refuse(state, client, 'CLIENT_ERROR', violation));
    const size = packet.payload ? Buffer.byteLength(packet.payload as Buffer) : 0;
    if (size > IOT_LIMITS.payloadBytes) {
      return done(refuse(state, client, 'CLIENT_ERROR', `payload is ${size} bytes (max ${IOT_LIMITS.payloadBytes})`));
    }
    if (RESERVED_PUBLISH.some((r) => r.test(topic))) {
      return done(refuse(state, client, 'AUTH_ERROR', `${topic} is a reserved topic`));
    }
    if (!sessionAllows(session, 'iot:Publish', resource, client.id)) {
      return done(refuse(state, client, 'AUTH_ERROR', `iot:Publish on topic/${topic} is not allowed`));
    }
    if (parseBasicIngestTopic(topic)) packet.retain = false;
    if (packet.retain && !sessionAllows(session, 'iot:RetainPublish', resource, client.id)) {
      return done(refuse(state, client, 'AUTH_ERROR', `iot:RetainPublish on topic/${topic} is not allowed`));
    }
    done(null);
  };
}

function authorizeSubscribe(state: GatewayState): Hooks['authorizeSubscribe'] {
  return (client, subscription, done) => {
    const filter = subscription.topic;
    const violation = iotTopicLimitViolation(filter);
    if (violation) return done(refuse(state, client, 'CLIENT_ERROR', violation));
    // Basic Ingest topics never reach subscribers: refuse the subscription (SUBACK 0x80), keep the connection.
    if (filter.startsWith('$aws/rules/') || filter.startsWith('$SYS/')) return done(null, null);
    if (!sessionAllows(state.sessions.get(client), 'iot:Subscribe', iotArn(state, 'topicfilter', filter), client.id)) {
      return done(refuse(state, client, 'AUTH_ERROR', `iot:Subscribe on topicfilter/${filter} is not allowed`));
    }
    done(null, { ...subscription, qos: Math.min(subscription.qos, 1) as 0 | 1 });
  };
}

function authorizeForward(state: GatewayState): Hooks['authorizeForward'] {
  return (client, packet) => {
    const topic = packet.topic;
    if (topic.startsWith('$SYS/') || topic.startsWith('$aws/rules/')) return null;
    return sessionAllows(state.sessions.get(client), 'iot:Receive', iotArn(state, 'topic', topic), client.id)
      ? packet
      : null;
  };
}
