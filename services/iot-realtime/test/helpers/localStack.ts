import { IotNamespace, type IotSigningCredentials } from '@blueprints/common';
import type { IotGateway } from '@blueprints/local-iot';
import { type LocalLambda, sourceHandlerLoader } from '@blueprints/local-runtime';
import type { LocalSecretsManager } from '@blueprints/local-secrets-manager';
import type { LocalSqs, QueueTriggers } from '@blueprints/local-sqs';
import { DEV_CREDENTIALS, type LocalService, startLocalStack as startServices } from '@blueprints/local-stack';
import type { LocalDynamoDb } from '@blueprints/local-storage';
import { resourcesOfType, type TemplateResolver } from '@blueprints/packaging';
import { SERVICE_DIR } from './packagedService.js';

export const LOCAL_CREDENTIALS = DEV_CREDENTIALS;

/** One deployment (stage) of the service on the shared local account. */
export interface LocalDeployment {
  stage: string;
  resolver: TemplateResolver;
  /** Its names on the shared broker (`<service>/<stage>/…`, `<service>_<stage>_…`). */
  namespace: IotNamespace;
  /** `x-amz-customauthorizer-name` of the deployment's authorizer. */
  authorizerName: string;
  /** The keys its presign function signs with (the gateway knows them with the presign role's IoT statements). */
  presignCredentials: IotSigningCredentials;
  triggers: QueueTriggers;
  /** Runs this deployment's functions (by name, ARN or logical id). */
  lambda: LocalLambda;
}

/** The service running locally from its packaged template; the first deployment's parts at the top level. */
export interface LocalStack extends LocalDeployment {
  /** Every deployment, in the order of `stages`: one account, one broker, as in AWS. */
  deployments: LocalDeployment[];
  gateway: IotGateway;
  sqs: LocalSqs;
  dynamo: LocalDynamoDb;
  /** Holds each deployment's JwtSecret, set to `jwtSecret`; rotate it with `putSecretValue`. */
  secretsManager: LocalSecretsManager;
  /** The first deployment's JwtSecret. */
  jwtSecretArn: string;
  close(): Promise<void>;
}

/** The deployment's IoT namespace, as its functions receive it (`IOT_NAMESPACE`). */
export function namespaceOf(resolver: TemplateResolver): IotNamespace {
  // A literal in the template: read it without resolving what only CloudFormation knows (the endpoint).
  const values = resourcesOfType(resolver.template, 'AWS::Lambda::Function').map(
    ([, fn]) => (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables,
  );
  const value = values.find((variables) => typeof variables?.IOT_NAMESPACE === 'string')?.IOT_NAMESPACE;
  return IotNamespace.parse(value as string | undefined);
}

/** The ARN its authorizer reads the JWT secret from (`JWT_SECRET_ARN`, resolved to the local secret). */
function jwtSecretArnOf(service: LocalService): string {
  const arn = service.functions.find((f) => f.environment.JWT_SECRET_ARN)?.environment.JWT_SECRET_ARN;
  if (!arn) throw new Error(`${service.name}: no function reads JWT_SECRET_ARN`);
  return arn;
}

function deploymentOf(service: LocalService): LocalDeployment {
  const { resolver } = service;
  const namespace = namespaceOf(resolver);
  const authorizer = resolver.resolve(resolver.resource('IotAuthorizer').Properties ?? {}) as {
    AuthorizerName: string;
  };
  return {
    stage: namespace.stage,
    resolver,
    namespace,
    authorizerName: String(authorizer.AuthorizerName),
    presignCredentials: service.credentials,
    triggers: service.triggers,
    lambda: service.lambda,
  };
}

/**
 * Starts the service on `startLocalStack`, as `pnpm dev` does (gateway, queues, tables, secrets and
 * the IoT environment from the template and local.ts), with handlers loaded from their TypeScript
 * source and each deployment's JWT secret set to `jwtSecret`. With `stages`, each stage is its own
 * deployment on the SAME gateway, queues and tables, as two stages share one AWS account: e.g.
 * `stages: [undefined, 'qa']` runs `dev` (the default package) beside `qa`.
 */
export async function startLocalStack(options: {
  jwtSecret: string;
  logLevel?: string;
  stages?: (string | undefined)[];
}): Promise<LocalStack> {
  const stack = await startServices({
    services: (options.stages ?? [undefined]).map((stage) =>
      stage === undefined ? SERVICE_DIR : { dir: SERVICE_DIR, stage },
    ),
    // Each deployment gets its own copy of a handler module: handlers read their configuration at load.
    handlerLoader: (s) => sourceHandlerLoader(s.dir, { instance: () => s.name }),
    pollIntervalMs: 20,
    logLevel: options.logLevel ?? 'SILENT',
  });
  try {
    if (!stack.gateway) throw new Error('The packaged template declares no IoT topic rule or authorizer');
    const secretArns = stack.services.map(jwtSecretArnOf);
    for (const arn of secretArns) stack.secretsManager.putSecretValue(arn, options.jwtSecret);
    const deployments = stack.services.map(deploymentOf);
    return {
      ...(deployments[0] as LocalDeployment),
      deployments,
      gateway: stack.gateway,
      sqs: stack.sqs,
      dynamo: stack.dynamodb,
      secretsManager: stack.secretsManager,
      jwtSecretArn: secretArns[0] as string,
      close: () => stack.close(),
    };
  } catch (error) {
    await stack.close();
    throw error;
  }
}
