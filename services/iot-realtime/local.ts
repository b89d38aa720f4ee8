// How this service runs under `pnpm dev` and startLocalStack (contract: packages/local-stack/README.md,
// "Local wiring"). The gateway's topic rules and authorizer come from the template; this points the
// functions at the local gateway and adds the demo actions.
import { IotNamespace } from '@blueprints/common';
import { defineLocalWiring, type LocalActionContext } from '@blueprints/local-stack';
import { resourcesOfType } from '@blueprints/packaging';
import { SignJWT } from 'jose';
import { connectAsync, type MqttClient } from 'mqtt';

/** The device client of the sensor-reading action, kept between clicks (one per local stack). */
const sensorClients = new WeakMap<LocalActionContext['service'], Promise<MqttClient>>();

/** The device the sensor-reading action signs in as. */
const SUBJECT = 'dashboard';

function broadcastFunction(context: LocalActionContext): string {
  const fn = context.service.functions.find((f) => f.name.endsWith('-broadcast'));
  if (!fn) throw new Error(`${context.service.name} has no broadcast function`);
  return fn.name;
}

/** A device signed in through the custom authorizer with a JWT from its local secret, subscribed to its replies. */
async function connectDevice(context: LocalActionContext, namespace: IotNamespace): Promise<MqttClient> {
  const { service, iot } = context;
  if (!iot) throw new Error('The local IoT gateway is not running');
  const authorizer = service.functions.find((f) => f.environment.JWT_SECRET_ARN);
  if (!authorizer) throw new Error(`${service.name} has no authorizer with JWT_SECRET_ARN`);
  const [authorizerId] =
    resourcesOfType(service.resolver.template, 'AWS::IoT::Authorizer', service.resolver.stack)[0] ?? [];
  const { AuthorizerName } = service.resolver.resolve(
    service.resolver.resource(String(authorizerId)).Properties ?? {},
  ) as {
    AuthorizerName: string;
  };
  // As long as the authorizer accepts; the gateway drops the client at expiry and the next reading reconnects.
  const lifetime = Number(authorizer.environment.JWT_MAX_LIFETIME_SECONDS) || 3600;
  const secret = context.secretString(String(authorizer.environment.JWT_SECRET_ARN));
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ sub: SUBJECT })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + lifetime)
    .sign(new TextEncoder().encode(secret));
  const client = await connectAsync(`${iot.wsUrl}?x-amz-customauthorizer-name=${AuthorizerName}`, {
    clientId: namespace.clientId(`${SUBJECT}-dashboard`),
    username: SUBJECT,
    password: token,
    protocolVersion: 4,
    reconnectPeriod: 0,
    // The custom authorizer answers the CONNECT; its first (cold) invocation can take seconds locally,
    // more on a busy laptop, while the deployed authorizer has 5 s.
    connectTimeout: 20_000,
  });
  await client.subscribeAsync(namespace.topic(`updates/user/${SUBJECT}`), { qos: 1 });
  return client;
}

export default defineLocalWiring({
  iot: {
    endpointVariable: 'IOT_ENDPOINT',
    environment: (gateway) => ({
      IOT_ENDPOINT: gateway.host,
      // The local gateway speaks ws://, not wss:// (presign reads this local-only switch).
      IOT_URL_SCHEME: 'ws',
      AWS_ENDPOINT_URL_IOT_DATA_PLANE: gateway.dataPlaneEndpoint,
    }),
  },
  actions: [
    {
      id: 'sensor-reading',
      label: 'Publish a sensor reading',
      description:
        'A signed-in device publishes a reading to the Basic Ingest topic: custom authorizer, topic rule, queue, ' +
        'sensorConsumer, and its reply on updates/user/dashboard.',
      run: async (context) => {
        const authorizer = context.service.functions.find((f) => f.environment.SENSOR_RULE_NAME);
        const ruleName = authorizer?.environment.SENSOR_RULE_NAME;
        if (!authorizer || !ruleName) throw new Error(`${context.service.name} has no function with SENSOR_RULE_NAME`);
        // Its topics and client ids live under the deployment's namespace (`<service>/<stage>/…`).
        const namespace = IotNamespace.parse(authorizer.environment.IOT_NAMESPACE);
        let client = sensorClients.get(context.service);
        // A client the gateway disconnected (e.g. at token expiry) is replaced.
        if (client && !(await client.catch(() => undefined))?.connected) client = undefined;
        if (!client) {
          client = connectDevice(context, namespace);
          sensorClients.set(context.service, client);
          client.then(
            (c) => context.onClose(() => c.endAsync(true)),
            () => sensorClients.delete(context.service),
          );
        }
        const reading = {
          sensor: 'desk',
          temperature: Math.round((18 + Math.random() * 10) * 10) / 10,
          humidity: Math.round(30 + Math.random() * 30),
        };
        const topic = `$aws/rules/${ruleName}/${namespace.topic(`updates/sensor/${SUBJECT}`)}`;
        await (await client).publishAsync(topic, JSON.stringify(reading), { qos: 1 });
        return { topic, reading };
      },
    },
    {
      id: 'broadcast',
      label: 'Broadcast “news”',
      description: 'Invokes the broadcast function, which publishes through the IoT data plane to every subscriber.',
      input: { topic: 'news', message: { headline: 'Hello from the dashboard' } },
      run: (context, input) =>
        context.service.invoke(broadcastFunction(context), {
          topic: input.topic ?? 'news',
          message: input.message ?? { headline: 'Hello from the dashboard', at: new Date().toISOString() },
        }),
    },
    {
      id: 'bad-broadcast',
      label: 'Invoke broadcast with a bad topic',
      description: 'A failing invocation: the error and its stack, mapped to the TypeScript sources, show in the feed.',
      run: (context) =>
        context.service.invoke(broadcastFunction(context), { topic: 'not-a-broadcast-topic', message: 'x' }),
    },
  ],
});
