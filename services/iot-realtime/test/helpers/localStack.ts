import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createSecretsFromTemplate,
  createTablesFromTemplate,
  functionsFromTemplate,
  type IotGateway,
  iotGatewayOptionsFromTemplate,
  iotPoliciesOfFunction,
  type LocalDynamoDb,
  LocalLambda,
  LocalSecretsManager,
  LocalSqs,
  type QueueTriggers,
  sourceHandlerLoader,
  startIotGateway,
  startLocalDynamoDb,
  startQueueTriggers,
  type TemplateResolver,
} from '@blueprints/offline';
import { packagedResolver, SERVICE_DIR } from './packagedService.js';

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The whole service running locally from its packaged template. */
export interface LocalStack {
  resolver: TemplateResolver;
  gateway: IotGateway;
  sqs: LocalSqs;
  dynamo: LocalDynamoDb;
  /** Holds the template's JwtSecret, set to `jwtSecret`; rotate it with `putSecretValue`. */
  secretsManager: LocalSecretsManager;
  jwtSecretArn: string;
  lambda: LocalLambda;
  triggers: QueueTriggers;
  /** `x-amz-customauthorizer-name` of the stack's authorizer. */
  authorizerName: string;
  close(): Promise<void>;
}

/**
 * Starts the service locally: the IoT gateway with the template's topic rules and authorizer, the
 * presign role's IoT statements for presigned URLs, LocalSqs + queue triggers, dynalite, the local
 * Secrets Manager holding the template's JWT secret (value `jwtSecret`), and every function from its
 * TypeScript source.
 */
export async function startLocalStack(options: { jwtSecret: string; logLevel?: string }): Promise<LocalStack> {
  const resolver = await packagedResolver();
  // Only CloudFormation knows the account's endpoint: a placeholder until the gateway has a port.
  resolver.overrides.set('IotEndpoint.Address', 'pending');
  const sqs = await LocalSqs.start({ region: resolver.stack.region, accountId: resolver.stack.accountId });
  await sqs.createQueuesFromTemplate(resolver);
  const dynamo = await startLocalDynamoDb();
  const ddb = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: resolver.stack.region,
    credentials: LOCAL_CREDENTIALS,
  });
  await createTablesFromTemplate(resolver, ddb);
  ddb.destroy();
  const secretsManager = await LocalSecretsManager.start({
    region: resolver.stack.region,
    accountId: resolver.stack.accountId,
  });
  const [jwtSecret] = createSecretsFromTemplate(resolver, secretsManager);
  if (!jwtSecret) throw new Error('The packaged template declares no secret');
  secretsManager.putSecretValue(jwtSecret.arn, options.jwtSecret);

  const functions = functionsFromTemplate(resolver);
  const lambda = new LocalLambda(functions, sourceHandlerLoader(SERVICE_DIR), {
    AWS_REGION: resolver.stack.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
  });
  const gateway = await startIotGateway({
    ...iotGatewayOptionsFromTemplate(resolver, lambda, sqs),
    // Presigned URLs signed with these keys carry the presign role's IoT statements, as in AWS.
    credentials: [{ ...LOCAL_CREDENTIALS, policies: iotPoliciesOfFunction(resolver, 'PresignLambdaFunction') }],
  });
  for (const fn of functions) {
    if ('IOT_ENDPOINT' in fn.environment) fn.environment.IOT_ENDPOINT = gateway.host;
    if (fn.logicalId === 'PresignLambdaFunction') fn.environment.IOT_URL_SCHEME = 'ws';
    fn.environment.POWERTOOLS_LOG_LEVEL = options.logLevel ?? 'SILENT';
    fn.environment.AWS_ENDPOINT_URL_IOT_DATA_PLANE = gateway.dataPlaneEndpoint;
  }
  const triggers = startQueueTriggers(resolver, sqs, lambda, { pollIntervalMs: 20, logger: null });
  const authorizerName = String(
    (resolver.resolve(resolver.resource('IotAuthorizer').Properties ?? {}) as { AuthorizerName: string })
      .AuthorizerName,
  );
  return {
    resolver,
    gateway,
    sqs,
    dynamo,
    secretsManager,
    jwtSecretArn: jwtSecret.arn,
    lambda,
    triggers,
    authorizerName,
    close: async () => {
      await triggers.stop();
      await gateway.close();
      await sqs.close();
      await dynamo.close();
      await secretsManager.close();
    },
  };
}
