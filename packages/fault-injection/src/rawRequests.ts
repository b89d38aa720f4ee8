import { request } from 'node:http';

/** An answer read as text and, when it is JSON, parsed. */
export interface RawAnswer {
  status: number;
  body: { __type?: string; message?: string };
  text: string;
}

/** The headers of an AWS JSON protocol call: `target` is `AWSEvents.PutEvents`, `AmazonSQS.SendMessage`, ... */
export function awsJsonHeaders(target: string, protocol: '1.0' | '1.1'): Record<string, string> {
  return { 'content-type': `application/x-amz-json-${protocol}`, 'x-amz-target': target };
}

function readAnswer(res: import('node:http').IncomingMessage): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: RawAnswer['body'] = {};
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON: the assertion on `text` says so.
      }
      resolve({ status: res.statusCode ?? 0, body, text });
    });
  });
}

/** POSTs a raw body, as a client that does not go through the SDK's serializer. */
export function rawPost(endpoint: string, headers: Record<string, string>, body: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(`${endpoint}/`, { method: 'POST', headers }, (res) => readAnswer(res).then(resolve));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Starts a POST announcing `totalBytes` of body, sends `sentBeforeAnswer` bytes, and waits for the answer
 * before sending the rest: a stand-in that buffers the whole body before answering never answers.
 */
export async function postOversizedBody(
  endpoint: string,
  headers: Record<string, string>,
  { totalBytes, sentBeforeAnswer }: { totalBytes: number; sentBeforeAnswer: number },
): Promise<RawAnswer> {
  const req = request(`${endpoint}/`, {
    method: 'POST',
    headers: { ...headers, 'content-length': String(totalBytes) },
  });
  const answered = new Promise<RawAnswer>((resolve, reject) => {
    req.on('response', (res) => readAnswer(res).then(resolve));
    req.on('error', reject);
  });
  const chunk = Buffer.alloc(1_048_576, 'x');
  for (let sent = 0; sent < sentBeforeAnswer; sent += chunk.length) {
    req.write(chunk.subarray(0, Math.min(chunk.length, sentBeforeAnswer - sent)));
  }
  const answer = await answered;
  req.end(Buffer.alloc(totalBytes - sentBeforeAnswer, 'x'));
  return answer;
}
