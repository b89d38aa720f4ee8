import { IotNamespace, type IotSigningCredentials } from '@blueprints/common';
import {
  type IotGateway,
  type IotGatewayCredential,
  type IotGatewayOptions,
  iotGatewayOptionsFromTemplate,
  iotPoliciesOfFunction,
  startIotGateway,
} from '@blueprints/local-iot';
import { functionsFromTemplate, type LocalFunction, LocalLambda, sourceHandlerLoader } from '@blueprints/local-runtime';
import { createSecretsFromTemplate, type LocalSecretsManager } from '@blueprints/local-secrets-manager';
import { type LocalSqs, type QueueTriggers, startQueueTriggers } from '@blueprints/local-sqs';
import {
  DEV_CREDENTIALS,
  type LocalStack as StandIns,
  startLocalStack as startStandIns,
} from '@blueprints/local-stack';
import { createTablesFromTemplate, type LocalDynamoDb } from '@blueprints/local-storage';
import { resourcesOfType, type TemplateResolver } from '@blueprints/packaging';
import { packagedResolver, SERVICE_DIR } from './packagedService.js';

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
}

/** The service running locally from its packaged template; the first deployment's parts at the top level. */
export interface LocalStack extends LocalDeployment {
  /** Every deployment, in the order of `stages`: one account, one broker, as in AWS. */
  deployments: LocalDeployment[];
  gateway: IotGateway;
  sqs: LocalSqs;
  dynamo: LocalDynamoDb;
  /** Holds the template's JwtSecret, set to `jwtSecret`; rotate it with `putSecretValue`. */
  secretsManager: LocalSecretsManager;
  jwtSecretArn: string;
  lambda: LocalLambda;
  close(): Promise<void>;
}

async function resolverOf(stage: string | undefined): Promise<TemplateResolver> {
  if (stage === undefined) return packagedResolver();
  return packagedResolver({ stage });
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

/** Merges the gateway options of several deployments: one account's rules, authorizers and presign keys. */
function mergeGatewayOptions(all: IotGatewayOptions[], credentials: IotGatewayCredential[]): IotGatewayOptions {
  const [first] = all as [IotGatewayOptions];
  return {
    ...first,
    rules: all.flatMap((o) => o.rules ?? []),
    authorizers: Object.assign({}, ...all.map((o) => o.authorizers ?? {})),
    credentials,
  };
}

/**
 * Starts the service locally: the IoT gateway with the template's topic rules and authorizer, the
 * presign role's IoT statements for presigned URLs, LocalSqs + queue triggers, dynalite, the local
 * Secrets Manager holding each deployment's JWT secret (value `jwtSecret`), and every function from
 * its TypeScript source. With `stages`, packages and starts each stage as its own deployment on the
 * SAME gateway, queues and tables, as two stages share one AWS account: e.g.
 * `stages: [undefined, 'qa']` runs `dev` (the default package) beside `qa`.
 */
export async function startLocalStack(options: {
  jwtSecret: string;
  logLevel?: string;
  stages?: (string | undefined)[];
}): Promise<LocalStack> {
  const resolvers: TemplateResolver[] = [];
  // One at a time: packaging a stage sets the default package aside while it runs.
  for (const stage of options.stages ?? [undefined]) resolvers.push(await resolverOf(stage));
  const [first] = resolvers as [TemplateResolver];
  const standIns = await startStandIns({ region: first.stack.region, accountId: first.stack.accountId });
  try {
    return await wireDeployments(standIns, resolvers, options);
  } catch (error) {
    await standIns.close();
    throw error;
  }
}

/** The deployments' secrets, functions, gateway and queue triggers on the stand-ins. */
async function wireDeployments(
  standIns: StandIns,
  resolvers: TemplateResolver[],
  options: { jwtSecret: string; logLevel?: string },
): Promise<LocalStack> {
  const { sqs, dynamodb: dynamo, secretsManager } = standIns;
  const secretArns: string[] = [];
  const functions: LocalFunction[] = [];
  const stageOfFunction = new Map<string, string>();
  const keys: IotSigningCredentials[] = [];
  for (const [i, resolver] of resolvers.entries()) {
    // Only CloudFormation knows the account's endpoint: a placeholder until the gateway has a port.
    resolver.overrides.set('IotEndpoint.Address', 'pending');
    await sqs.createQueuesFromTemplate(resolver);
    await createTablesFromTemplate(resolver, standIns.clients.dynamodb);
    // Before the functions are read: JWT_SECRET_ARN resolves to the local secret's ARN.
    const [jwtSecret] = createSecretsFromTemplate(resolver, secretsManager);
    if (!jwtSecret) throw new Error('The packaged template declares no secret');
    secretsManager.putSecretValue(jwtSecret.arn, options.jwtSecret);
    secretArns.push(jwtSecret.arn);
    const stage = namespaceOf(resolver).stage;
    const key = i === 0 ? LOCAL_CREDENTIALS : { accessKeyId: `local-${stage}`, secretAccessKey: `local-${stage}` };
    keys.push(key);
    for (const fn of functionsFromTemplate(resolver)) {
      stageOfFunction.set(fn.name, stage);
      fn.environment.AWS_ACCESS_KEY_ID = key.accessKeyId;
      fn.environment.AWS_SECRET_ACCESS_KEY = key.secretAccessKey;
      functions.push(fn);
    }
  }

  const lambda = new LocalLambda(
    functions,
    // Each deployment gets its own copy of a handler module: handlers read their configuration at load.
    sourceHandlerLoader(SERVICE_DIR, { instance: (fn) => stageOfFunction.get(fn.name) ?? '' }),
    standIns.environment,
  );
  const gateway = await startIotGateway(
    mergeGatewayOptions(
      resolvers.map((r) => iotGatewayOptionsFromTemplate(r, lambda, sqs)),
      // Presigned URLs signed with a deployment's keys carry its presign role's IoT statements, as in AWS.
      resolvers.map((r, i) => ({
        ...(keys[i] as IotSigningCredentials),
        policies: iotPoliciesOfFunction(r, 'PresignLambdaFunction'),
      })),
    ),
  );
  standIns.onClose(() => gateway.close());
  for (const fn of functions) {
    if ('IOT_ENDPOINT' in fn.environment) fn.environment.IOT_ENDPOINT = gateway.host;
    if (fn.logicalId === 'PresignLambdaFunction') fn.environment.IOT_URL_SCHEME = 'ws';
    fn.environment.POWERTOOLS_LOG_LEVEL = options.logLevel ?? 'SILENT';
    fn.environment.AWS_ENDPOINT_URL_IOT_DATA_PLANE = gateway.dataPlaneEndpoint;
  }
  const deployments = resolvers.map((resolver, i): LocalDeployment => {
    const namespace = namespaceOf(resolver);
    return {
      stage: namespace.stage,
      resolver,
      namespace,
      authorizerName: String(
        (resolver.resolve(resolver.resource('IotAuthorizer').Properties ?? {}) as { AuthorizerName: string })
          .AuthorizerName,
      ),
      presignCredentials: keys[i] as IotSigningCredentials,
      triggers: startQueueTriggers(resolver, sqs, lambda, { pollIntervalMs: 20, logger: null }),
    };
  });
  for (const deployment of deployments) standIns.onClose(() => deployment.triggers.stop());
  return {
    ...(deployments[0] as LocalDeployment),
    deployments,
    gateway,
    sqs,
    dynamo,
    secretsManager,
    jwtSecretArn: secretArns[0] as string,
    lambda,
    close: () => standIns.close(),
  };
}
