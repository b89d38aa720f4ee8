import type { IncomingMessage, ServerResponse } from 'node:http';
import { IOT_LIMITS, iotTopicLimitViolation, parseBasicIngestTopic } from '../topics.js';
import { RESERVED_PUBLISH } from './session.js';

type BrokerPublish = (topic: string, payload: Buffer, qos: 0 | 1, retain: boolean) => Promise<void>;

/** The IoT data plane's `Publish` API (`POST /topics/{topic}?qos=&retain=`), errors in its JSON shape. */
export function dataPlaneHandler(publish: BrokerPublish): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handleDataPlane(req, res, publish).catch((error: unknown) =>
      sendError(res, 500, 'InternalFailureException', String(error)),
    );
  };
}

async function handleDataPlane(req: IncomingMessage, res: ServerResponse, publish: BrokerPublish): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const match = /^\/topics\/(.+)$/.exec(url.pathname);
  if (!match || req.method !== 'POST') {
    return sendError(res, 404, 'ResourceNotFoundException', 'only POST /topics/{topic}');
  }
  const topic = decodeURIComponent(match[1] as string);
  const payload = await readPayload(req);
  if (!payload) {
    return sendError(res, 413, 'RequestEntityTooLargeException', `payload over ${IOT_LIMITS.payloadBytes} bytes`);
  }
  const qos = Number(url.searchParams.get('qos') ?? 0);
  if (qos !== 0 && qos !== 1) return sendError(res, 400, 'InvalidRequestException', 'qos must be 0 or 1');
  const violation = iotTopicLimitViolation(topic);
  if (violation) return sendError(res, 400, 'InvalidRequestException', violation);
  if (RESERVED_PUBLISH.some((r) => r.test(topic))) return sendError(res, 403, 'ForbiddenException', 'reserved topic');
  const retain = url.searchParams.get('retain') === 'true' && !parseBasicIngestTopic(topic);
  await publish(topic, payload, qos, retain);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{}');
}

/** The request body, or undefined as soon as it passes the IoT payload limit. */
async function readPayload(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > IOT_LIMITS.payloadBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ message }));
}
