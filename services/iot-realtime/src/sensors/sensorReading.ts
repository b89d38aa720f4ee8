import type { IotNamespace } from '@blueprints/common';
import { acceptableSubject, userTopic } from '../authorization/subject.js';

/**
 * What the sensor topic rule delivers: the reading's named fields plus what its SELECT adds. The
 * rule selects named fields, never `*`, so nothing in a payload can pose as `subject`.
 */
export interface SensorMessage {
  /** `topic(5)` of `<service>/<stage>/updates/sensor/<sub>`: the subject whose ingest topic the reading arrived on. */
  subject: string;
  /** `clientid()`: for logs only; the reply is addressed from `subject`. */
  clientId?: string;
  /** Epoch milliseconds at which IoT Core received the reading (`timestamp()`). */
  receivedAt: number;
  temperature: number;
  humidity?: number;
  sensor?: string;
}

/** The reading as the sender gets it back on `<service>/<stage>/updates/user/<sub>`. */
export interface ProcessedReading {
  type: 'sensor-reading';
  subject: string;
  sensor?: string;
  temperatureC: number;
  temperatureF: number;
  humidity?: number;
  comfort: 'cold' | 'comfortable' | 'warm' | 'hot';
  receivedAt: string;
  processedAt: string;
}

export class InvalidSensorMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSensorMessageError';
  }
}

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * Parses one queue message body written by the sensor rule (`SELECT temperature, humidity, sensor,
 * topic(5) AS subject, clientid() AS clientId, timestamp() AS receivedAt`). Throws
 * `InvalidSensorMessageError` naming the bad field.
 *
 * @example
 * parseSensorMessage('{"temperature":21.5,"subject":"alice","clientId":"alice-1","receivedAt":1767225600000}');
 */
export function parseSensorMessage(body: string): SensorMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidSensorMessageError('body is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidSensorMessageError('body is not a JSON object');
  }
  const m = value as Record<string, unknown>;
  if (typeof m.subject !== 'string' || m.subject === '') throw new InvalidSensorMessageError('subject is missing');
  if (m.clientId !== undefined && (typeof m.clientId !== 'string' || m.clientId.length > 128)) {
    throw new InvalidSensorMessageError('clientId must be a string of at most 128 characters');
  }
  if (!finite(m.receivedAt)) throw new InvalidSensorMessageError('receivedAt is not a number');
  if (!finite(m.temperature) || m.temperature < -100 || m.temperature > 150) {
    throw new InvalidSensorMessageError('temperature must be a number from -100 to 150 (°C)');
  }
  if (m.humidity !== undefined && (!finite(m.humidity) || m.humidity < 0 || m.humidity > 100)) {
    throw new InvalidSensorMessageError('humidity must be a number from 0 to 100');
  }
  if (m.sensor !== undefined && (typeof m.sensor !== 'string' || m.sensor.length > 64)) {
    throw new InvalidSensorMessageError('sensor must be a string of at most 64 characters');
  }
  return {
    subject: m.subject,
    ...(m.clientId !== undefined ? { clientId: m.clientId as string } : {}),
    receivedAt: m.receivedAt,
    temperature: m.temperature,
    ...(m.humidity !== undefined ? { humidity: m.humidity as number } : {}),
    ...(m.sensor !== undefined ? { sensor: m.sensor as string } : {}),
  };
}

function comfortOf(celsius: number): ProcessedReading['comfort'] {
  if (celsius < 18) return 'cold';
  if (celsius <= 24) return 'comfortable';
  if (celsius <= 28) return 'warm';
  return 'hot';
}

/**
 * Where the reply goes and what it says: `<service>/<stage>/updates/user/<subject>`, the subject
 * taken from the topic the device published to. The authorizer's policy lets `<sub>` publish only
 * to its own ingest topic, so this cannot be forged; no payload field is ever read for the address.
 *
 * @example
 * const { topic, reading } = processSensorMessage(message, new Date(), IotNamespace.parse('iot-realtime/dev'));
 */
export function processSensorMessage(
  message: SensorMessage,
  now: Date,
  namespace: IotNamespace,
): { topic: string; reading: ProcessedReading } {
  let topic: string;
  let subject: string;
  try {
    subject = acceptableSubject(message.subject);
    topic = userTopic(subject, namespace);
  } catch (error) {
    throw new InvalidSensorMessageError(`the topic names no acceptable subject: ${(error as Error).message}`);
  }
  return {
    topic,
    reading: {
      type: 'sensor-reading',
      subject,
      ...(message.sensor !== undefined ? { sensor: message.sensor } : {}),
      temperatureC: message.temperature,
      temperatureF: Math.round((message.temperature * 9 * 10) / 5 + 320) / 10,
      ...(message.humidity !== undefined ? { humidity: message.humidity } : {}),
      comfort: comfortOf(message.temperature),
      receivedAt: new Date(message.receivedAt).toISOString(),
      processedAt: now.toISOString(),
    },
  };
}
