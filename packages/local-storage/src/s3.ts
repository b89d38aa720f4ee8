import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { resourcesOfType, type TemplateResolver } from '@blueprints/packaging';
import S3rver from 's3rver';

export interface LocalS3 {
  /** `http://127.0.0.1:PORT`: give it to clients with `forcePathStyle: true` (or `AWS_ENDPOINT_URL_S3`). */
  endpoint: string;
  /** Where the objects live on disk. */
  directory: string;
  close(): Promise<void>;
}

export interface LocalS3Options {
  port?: number;
  /** Keep the data here (survives restarts); default: a fresh temporary directory removed on close. */
  directory?: string;
}

/**
 * s3rver only knows the access key `S3RVER` (it does not verify SigV4 signatures, only that the key
 * exists). Handlers run with whatever local credentials the environment has (`AWS_ACCESS_KEY_ID=local`),
 * so the credential's access key is rewritten to `S3RVER` before s3rver sees the request: any
 * credentials work, as with the other stand-ins.
 */
function acceptAnyCredentials(req: IncomingMessage): void {
  const authorization = req.headers.authorization;
  if (authorization) req.headers.authorization = authorization.replace(/Credential=[^/,\s]+\//, 'Credential=S3RVER/');
  if (req.url?.includes('X-Amz-Credential=')) {
    req.url = req.url.replace(/X-Amz-Credential=[^%&/]+(%2F|\/)/i, 'X-Amz-Credential=S3RVER$1');
  }
  if (req.url?.includes('AWSAccessKeyId=')) req.url = req.url.replace(/AWSAccessKeyId=[^&]+/, 'AWSAccessKeyId=S3RVER');
}

/**
 * A client without `forcePathStyle` addresses `<bucket>.127.0.0.1:PORT` (virtual-hosted style);
 * s3rver cannot tell that host from an IP, so the bucket is moved into the path.
 */
function virtualHostToPath(req: IncomingMessage): void {
  const bucket = /^(.+)\.(?:127\.0\.0\.1|localhost)(?::\d+)?$/.exec(req.headers.host ?? '')?.[1];
  if (bucket) {
    req.url = `/${bucket}${req.url?.startsWith('/') ? req.url : `/${req.url ?? ''}`}`;
    req.headers.host = req.headers.host?.slice(bucket.length + 1);
  }
}

/**
 * Starts s3rver on 127.0.0.1 (port 0 = any free port).
 *
 * @example
 * const s3 = await startLocalS3();
 * const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1',
 *   credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
 */
export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const temporary = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'local-s3-')));
  // s3rver is used as a request handler on a server of our own: its `run()` never reports a listen
  // error (a busy port would hang), and every request first passes through the rewrites above.
  const app = new S3rver({
    directory,
    silent: true,
    // Virtual-host buckets need DNS names; local clients use path-style requests.
    vhostBuckets: false,
  } as ConstructorParameters<typeof S3rver>[0]);
  const handle = app.callback() as (req: IncomingMessage, res: ServerResponse) => void;
  const httpServer = createServer((req, res) => {
    acceptAnyCredentials(req);
    virtualHostToPath(req);
    handle(req, res);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    if (temporary) await rm(directory, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`Local S3 cannot listen: port ${options.port} on 127.0.0.1 is already in use`);
    }
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    async close() {
      httpServer.closeAllConnections();
      await new Promise<void>((resolve, reject) => httpServer.close((e) => (e ? reject(e) : resolve())));
      (app as unknown as { logger?: { close(): void } }).logger?.close();
      if (temporary) await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Creates every `AWS::S3::Bucket` of a packaged template (an existing bucket is kept). Returns the
 * bucket names.
 */
export async function createBucketsFromTemplate(resolver: TemplateResolver, s3: S3Client): Promise<string[]> {
  const names: string[] = [];
  for (const [logicalId] of resourcesOfType(resolver.template, 'AWS::S3::Bucket', resolver.stack)) {
    const name = resolver.physicalName(logicalId);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
    } catch (error) {
      const code = (error as { name?: string }).name;
      if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
    }
    names.push(name);
  }
  return names;
}
