import {
  type IotGateway,
  type IotGatewayOptions,
  iotGatewayOptionsFromTemplate,
  iotPoliciesOfFunction,
  startIotGateway,
} from '@blueprints/local-iot';
import type { LocalLambda } from '@blueprints/local-runtime';
import type { LocalSqs } from '@blueprints/local-sqs';
import type { LocalCredentials } from './devCredentials.js';
import type { LocalIotEndpoint } from './localWiring.js';
import { hasResource, type ResolvedService } from './resolveService.js';

export interface ServiceGatewayOptions {
  region: string;
  accountId: string;
  port: number;
  mqttPort: number;
  sqs: LocalSqs;
  /** The keys a service's functions sign with (by its name): its presign functions' policies go with them. */
  credentials: (service: string) => LocalCredentials;
}

/**
 * The IoT gateway with every service's topic rules and authorizers, or undefined when no service has
 * any. Functions that declare a service's `iot.endpointVariable` (local.ts) get its `iot.environment`.
 */
export async function startServicesGateway(
  services: ResolvedService[],
  lambdas: Map<string, LocalLambda>,
  options: ServiceGatewayOptions,
): Promise<IotGateway | undefined> {
  const iotServices = services.filter((s) => hasResource(s.resolver, 'AWS::IoT::TopicRule', 'AWS::IoT::Authorizer'));
  if (iotServices.length === 0) return undefined;
  const { region, accountId, sqs } = options;
  const merged: IotGatewayOptions = { region, accountId, rules: [], authorizers: {}, credentials: [] };
  const byArn = new Map<string, LocalLambda>();
  for (const s of iotServices) {
    const lambda = lambdas.get(s.name) as LocalLambda;
    for (const fn of s.functions) byArn.set(fn.arn, lambda);
    const o = iotGatewayOptionsFromTemplate(s.resolver, lambda, sqs);
    merged.rules?.push(...(o.rules ?? []));
    Object.assign(merged.authorizers as object, o.authorizers);
    // Presigned URLs signed with the service's keys carry the IoT statements of the function that signs them.
    for (const fn of iotFunctions(s)) {
      const policies = iotPoliciesOfFunction(s.resolver, fn.logicalId);
      if (policies.some((p) => JSON.stringify(p).includes('iot:Connect'))) {
        merged.credentials?.push({ ...options.credentials(s.name), policies });
      }
    }
  }
  merged.actions = {
    lambda: async (arn, payload) => {
      const lambda = byArn.get(arn.replace(/:(\$LATEST|\d+)$/, ''));
      if (!lambda) throw new Error(`No local function ${arn}`);
      await lambda.invoke(arn, payload);
    },
    sqs: async (queueUrl, body) => {
      await sqs.sendMessage(queueUrl, body, {});
    },
  };
  const gateway = await startIotGateway({ ...merged, port: options.port, mqttPort: options.mqttPort });
  for (const s of services) {
    const environment = s.wiring.iot?.environment(iotEndpointOf(gateway));
    for (const fn of iotFunctions(s)) Object.assign(fn.environment, environment);
  }
  return gateway;
}

/** The functions of a service that declare its local wiring's IoT endpoint variable. */
function iotFunctions(s: ResolvedService) {
  const variable = s.wiring.iot?.endpointVariable;
  return variable ? s.functions.filter((f) => variable in f.environment) : [];
}

/** What a service's local wiring (and its actions) know of the gateway. */
export function iotEndpointOf(gateway: IotGateway): LocalIotEndpoint {
  return {
    host: gateway.host,
    wsUrl: gateway.wsUrl,
    mqttUrl: gateway.mqttUrl,
    dataPlaneEndpoint: gateway.dataPlaneEndpoint,
  };
}
