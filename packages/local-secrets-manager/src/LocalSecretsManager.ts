import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  invalidParameter,
  invalidRequest,
  requestTooLarge,
  SecretsManagerError,
  secretExists,
  secretNotFound,
  serializationError,
  unknownOperation,
  versionNotFound,
} from './errors.js';

export interface LocalSecretsManagerOptions {
  /** 0 (the default) picks a free port. The server listens on 127.0.0.1 only. */
  port?: number;
  region?: string;
  accountId?: string;
}

interface SecretVersion {
  versionId: string;
  secretString?: string;
  secretBinary?: string;
  stages: Set<string>;
  createdDate: number;
}

interface StoredSecret {
  arn: string;
  name: string;
  description?: string;
  versions: SecretVersion[];
}

/** The value `GetSecretValue` returns (and what `putSecretValue` stores). */
export interface LocalSecretValue {
  arn: string;
  name: string;
  versionId: string;
}

/** Secrets Manager's quota for a secret value: 65,536 bytes. */
export const SECRET_VALUE_MAX_BYTES = 65_536;
/** Requests larger than this are refused before they are read whole (a value plus its JSON framing). */
const REQUEST_MAX_BYTES = 2 * SECRET_VALUE_MAX_BYTES;
const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/**
 * A local AWS Secrets Manager on 127.0.0.1, for the real SDK (`AWS_ENDPOINT_URL_SECRETS_MANAGER`):
 * `CreateSecret`, `GetSecretValue` (by name or ARN, by `VersionId` or `VersionStage`),
 * `PutSecretValue` (moves `AWSCURRENT` to the new version and `AWSPREVIOUS` to the old one: a
 * rotation), `DescribeSecret` and `DeleteSecret`. Values live in memory. Errors are AWS-shaped 4xx
 * (`__type` + `message`); request bodies over 128 KB get a 413 without being buffered.
 *
 * @example
 * const sm = await LocalSecretsManager.start();
 * const { arn } = sm.createSecret('app/jwt', 'first-value');
 * sm.putSecretValue(arn, 'rotated-value');
 * await sm.close();
 */
export class LocalSecretsManager {
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly counts = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    readonly region: string,
    readonly accountId: string,
  ) {}

  static async start(options: LocalSecretsManagerOptions = {}): Promise<LocalSecretsManager> {
    let instance: LocalSecretsManager | undefined;
    const server = createServer((req, res) => {
      void instance?.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    instance = new LocalSecretsManager(
      server,
      `http://127.0.0.1:${port}`,
      options.region ?? 'us-east-1',
      options.accountId ?? '000000000000',
    );
    return instance;
  }

  /** How many requests of an operation (e.g. `GetSecretValue`) the stand-in has answered. */
  requestCount(operation: string): number {
    return this.counts.get(operation) ?? 0;
  }

  /** Creates a secret; its first value is `AWSCURRENT`. */
  createSecret(name: string, secretString: string, description?: string): LocalSecretValue {
    return this.create(name, { secretString }, description);
  }

  /** Stores a new value and makes it `AWSCURRENT` (the previous one becomes `AWSPREVIOUS`): what a rotation does. */
  putSecretValue(secretId: string, secretString: string): LocalSecretValue {
    return this.addVersion(this.find(secretId), { secretString });
  }

  /** A secret's `AWSCURRENT` string value, read in process (e.g. to sign a local test token with it). */
  secretString(secretId: string): string {
    const value = this.find(secretId).versions.find((v) => v.stages.has('AWSCURRENT'))?.secretString;
    if (value === undefined) throw versionNotFound();
    return value;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }

  private create(
    name: string,
    value: { secretString?: string; secretBinary?: string; versionId?: string },
    description?: string,
  ): LocalSecretValue {
    if (!NAME_PATTERN.test(name)) throw invalidParameter(`Invalid name ${JSON.stringify(name)}`);
    if (this.lookup(name)) throw secretExists(name);
    // A real ARN ends in `-` and six random characters.
    const suffix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6);
    const arn = `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${name}-${suffix}`;
    const secret: StoredSecret = { arn, name, ...(description ? { description } : {}), versions: [] };
    const created = this.addVersion(secret, value);
    this.secrets.set(arn, secret);
    return created;
  }

  private lookup(secretId: string): StoredSecret | undefined {
    return (
      this.secrets.get(secretId) ?? [...this.secrets.values()].find((s) => s.name === secretId || s.arn === secretId)
    );
  }

  private find(secretId: string): StoredSecret {
    const secret = this.lookup(secretId);
    if (!secret) throw secretNotFound();
    return secret;
  }

  private addVersion(
    secret: StoredSecret,
    value: { secretString?: string; secretBinary?: string; versionId?: string },
  ): LocalSecretValue {
    const size =
      value.secretString !== undefined
        ? Buffer.byteLength(value.secretString)
        : Buffer.from(value.secretBinary ?? '', 'base64').length;
    if (size === 0) throw invalidParameter('You must provide either SecretString or SecretBinary.');
    if (size > SECRET_VALUE_MAX_BYTES) {
      throw invalidParameter(`The secret value is ${size} bytes; the maximum is ${SECRET_VALUE_MAX_BYTES}.`);
    }
    const versionId = value.versionId ?? randomUUID();
    const existing = secret.versions.find((v) => v.versionId === versionId);
    if (existing) return { arn: secret.arn, name: secret.name, versionId };
    for (const v of secret.versions) {
      v.stages.delete('AWSPREVIOUS');
      if (v.stages.delete('AWSCURRENT')) v.stages.add('AWSPREVIOUS');
    }
    secret.versions.push({
      versionId,
      ...(value.secretString !== undefined ? { secretString: value.secretString } : {}),
      ...(value.secretBinary !== undefined ? { secretBinary: value.secretBinary } : {}),
      stages: new Set(['AWSCURRENT']),
      createdDate: Date.now() / 1000,
    });
    // Versions without a stage are dropped, as Secrets Manager eventually does.
    secret.versions = secret.versions.filter((v) => v.stages.size > 0);
    return { arn: secret.arn, name: secret.name, versionId };
  }

  private operation(target: string, input: Record<string, unknown>): unknown {
    const str = (key: string, required = false): string | undefined => {
      const v = input[key];
      if (v === undefined || v === null) {
        if (required) throw invalidParameter(`${key} is required`);
        return undefined;
      }
      if (typeof v !== 'string') throw serializationError(`${key} must be a string`);
      return v;
    };
    switch (target) {
      case 'CreateSecret': {
        const secretString = str('SecretString');
        const secretBinary = str('SecretBinary');
        const versionId = str('ClientRequestToken');
        if (secretString === undefined && secretBinary === undefined) {
          throw invalidRequest('The local stand-in needs SecretString or SecretBinary on CreateSecret.');
        }
        const v = this.create(
          str('Name', true) as string,
          {
            ...(secretString !== undefined ? { secretString } : { secretBinary }),
            ...(versionId ? { versionId } : {}),
          },
          str('Description'),
        );
        return { ARN: v.arn, Name: v.name, VersionId: v.versionId };
      }
      case 'PutSecretValue': {
        const secret = this.find(str('SecretId', true) as string);
        const secretString = str('SecretString');
        const secretBinary = str('SecretBinary');
        const v = this.addVersion(secret, {
          ...(secretString !== undefined ? { secretString } : {}),
          ...(secretBinary !== undefined ? { secretBinary } : {}),
          ...(str('ClientRequestToken') ? { versionId: str('ClientRequestToken') } : {}),
        });
        return { ARN: v.arn, Name: v.name, VersionId: v.versionId, VersionStages: ['AWSCURRENT'] };
      }
      case 'GetSecretValue': {
        const secret = this.find(str('SecretId', true) as string);
        const versionId = str('VersionId');
        const stage = str('VersionStage') ?? (versionId ? undefined : 'AWSCURRENT');
        const version = secret.versions.find(
          (v) => (!versionId || v.versionId === versionId) && (!stage || v.stages.has(stage)),
        );
        if (!version) throw versionNotFound();
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: version.versionId,
          ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
          ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
          VersionStages: [...version.stages],
          CreatedDate: version.createdDate,
        };
      }
      case 'DescribeSecret': {
        const secret = this.find(str('SecretId', true) as string);
        return {
          ARN: secret.arn,
          Name: secret.name,
          ...(secret.description ? { Description: secret.description } : {}),
          VersionIdsToStages: Object.fromEntries(secret.versions.map((v) => [v.versionId, [...v.stages]])),
        };
      }
      case 'DeleteSecret': {
        const secret = this.find(str('SecretId', true) as string);
        this.secrets.delete(secret.arn);
        return { ARN: secret.arn, Name: secret.name, DeletionDate: Date.now() / 1000 };
      }
      default:
        throw unknownOperation(target);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': randomUUID(),
        ...(body instanceof SecretsManagerError ? { 'x-amzn-errortype': body.type } : {}),
      });
      res.end(text);
    };
    try {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (req.method !== 'POST' || !target.startsWith('secretsmanager.')) throw unknownOperation(target);
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > REQUEST_MAX_BYTES) throw requestTooLarge(REQUEST_MAX_BYTES);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > REQUEST_MAX_BYTES) throw requestTooLarge(REQUEST_MAX_BYTES);
        chunks.push(chunk as Buffer);
      }
      let input: unknown;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        throw serializationError('The request body is not JSON');
      }
      if (input === null || typeof input !== 'object' || Array.isArray(input)) {
        throw serializationError('The request body is not a JSON object');
      }
      const operation = target.slice('secretsmanager.'.length);
      const output = this.operation(operation, input as Record<string, unknown>);
      this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
      send(200, output);
    } catch (error) {
      const e =
        error instanceof SecretsManagerError
          ? error
          : new SecretsManagerError('InternalServiceError', 'The local Secrets Manager failed', 500);
      if (e.statusCode === 413) {
        // The rest of the body is never read: close instead of draining it.
        res.setHeader('connection', 'close');
        res.once('finish', () => req.destroy());
      }
      send(e.statusCode, e);
    }
  }
}
