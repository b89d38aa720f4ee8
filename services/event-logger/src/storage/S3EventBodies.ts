import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { LargeEventBodies } from './eventBody.js';

/**
 * Claim-checked event bodies in an S3 bucket (gzipped JSON, one object per event).
 *
 * @example
 * const bodies = new S3EventBodies(new S3Client({}), 'event-logger-dev-large-events-123456789012-us-east-1');
 */
export class S3EventBodies implements LargeEventBodies {
  constructor(
    private readonly client: Pick<S3Client, 'send'>,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: Buffer, abortSignal?: AbortSignal): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        // Not Content-Encoding: gzip, which some clients would undo silently; the reader gunzips.
        ContentType: 'application/gzip',
      }),
      abortSignal ? { abortSignal } : {},
    );
  }

  async get(key: string, abortSignal?: AbortSignal): Promise<Buffer> {
    const { Body } = await this.client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      abortSignal ? { abortSignal } : {},
    );
    if (!Body) throw new Error(`s3://${this.bucket}/${key} has no body`);
    return Buffer.from(await Body.transformToByteArray());
  }
}
