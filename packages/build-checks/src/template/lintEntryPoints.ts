import type { CfnTemplate } from '@blueprints/packaging';
import { type Report, runLints, type Violation } from './checkTemplate.js';
import { functionIdOf, isPlainObject, referencedOfType, resourcesOfType } from './references.js';

/** IoT Core stops waiting for a custom authorizer function after this many seconds. */
export const IOT_AUTHORIZER_MAX_TIMEOUT_SECONDS = 5;

/** What Lambda uses when a function declares no Timeout. */
const LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3;

/** `{{resolve:secretsmanager:…}}` and `{{resolve:ssm-secure:…}}`: dynamic references to secrets. */
const SECRET_REFERENCE = /\{\{resolve:(secretsmanager|ssm-secure):/;

function lintSecretsInEnvironment(template: CfnTemplate, report: Report): void {
  for (const [id, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const environment = fn.Properties?.Environment;
    const variables = isPlainObject(environment) && isPlainObject(environment.Variables) ? environment.Variables : {};
    for (const [name, value] of Object.entries(variables)) {
      const kind = JSON.stringify(value).match(SECRET_REFERENCE)?.[1];
      if (!kind) continue;
      report({
        resource: id,
        path: `Properties.Environment.Variables.${name}`,
        rule: 'secret-in-environment',
        message:
          `${name} holds a {{resolve:${kind}:…}} reference: CloudFormation resolves it at deploy time and stores ` +
          'the secret in plain text in the function configuration (lambda:GetFunctionConfiguration shows it). ' +
          "Pass the secret's ARN or name instead and read it at runtime, cached (Powertools Parameters), with " +
          'read access to that one secret',
      });
    }
  }
}

function lintStageThrottling(template: CfnTemplate, report: Report): void {
  for (const [id, stage] of resourcesOfType(template, 'AWS::ApiGatewayV2::Stage')) {
    const settings = stage.Properties?.DefaultRouteSettings;
    const missing = ['ThrottlingBurstLimit', 'ThrottlingRateLimit'].filter(
      (key) => !isPlainObject(settings) || settings[key] === undefined,
    );
    if (missing.length === 0) continue;
    report({
      resource: id,
      path: 'Properties.DefaultRouteSettings',
      rule: 'http-api-throttling',
      message:
        `API stage has no default route throttling (${missing.join(', ')} not set), so one caller can use the ` +
        "account's whole API Gateway quota and scale the functions behind it: set DefaultRouteSettings." +
        `${missing.join(' and ')} (osls: resources.extensions.${id}.Properties.DefaultRouteSettings)`,
    });
  }
}

/** Functions anyone can invoke: behind an HTTP API route with no authorizer, or a function URL with AuthType NONE. */
function publicFunctions(template: CfnTemplate): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  const add = (fn: string | undefined, via: string) => {
    if (fn) entries.set(fn, [...(entries.get(fn) ?? []), via]);
  };
  for (const [id, route] of resourcesOfType(template, 'AWS::ApiGatewayV2::Route')) {
    const p = route.Properties ?? {};
    if (p.AuthorizationType !== undefined && p.AuthorizationType !== 'NONE') continue;
    for (const integration of referencedOfType(template, p.Target, 'AWS::ApiGatewayV2::Integration')) {
      const uri = template.Resources[integration]?.Properties?.IntegrationUri;
      add(functionIdOf(template, uri), `public route "${String(p.RouteKey)}" (${id}, no authorizer)`);
    }
  }
  for (const [id, url] of resourcesOfType(template, 'AWS::Lambda::Url')) {
    if (url.Properties?.AuthType !== 'NONE') continue;
    add(functionIdOf(template, url.Properties?.TargetFunctionArn), `function URL ${id} with AuthType NONE`);
  }
  for (const [id, authorizer] of resourcesOfType(template, 'AWS::IoT::Authorizer')) {
    const signingDisabled = authorizer.Properties?.SigningDisabled;
    if (signingDisabled !== true && signingDisabled !== 'true') continue;
    add(
      functionIdOf(template, authorizer.Properties?.AuthorizerFunctionArn),
      `IoT authorizer ${id} with SigningDisabled, which any client can trigger`,
    );
  }
  return entries;
}

function lintPublicConcurrency(template: CfnTemplate, report: Report): void {
  for (const [fn, via] of publicFunctions(template)) {
    if (template.Resources[fn]?.Properties?.ReservedConcurrentExecutions !== undefined) continue;
    report({
      resource: fn,
      path: 'Properties.ReservedConcurrentExecutions',
      rule: 'public-concurrency',
      message:
        `function is a public entry point (${via.join('; ')}) with no ReservedConcurrentExecutions, so anyone can ` +
        "scale it to the account's concurrency limit and starve every other function: set one (osls: reservedConcurrency)",
    });
  }
}

function lintAuthorizerTimeouts(template: CfnTemplate, report: Report): void {
  for (const [id, authorizer] of resourcesOfType(template, 'AWS::IoT::Authorizer')) {
    const fn = functionIdOf(template, authorizer.Properties?.AuthorizerFunctionArn);
    const timeout = fn ? template.Resources[fn]?.Properties?.Timeout : undefined;
    const seconds = typeof timeout === 'number' ? timeout : LAMBDA_DEFAULT_TIMEOUT_SECONDS;
    if (!fn || seconds <= IOT_AUTHORIZER_MAX_TIMEOUT_SECONDS) continue;
    report({
      resource: fn,
      path: 'Properties.Timeout',
      rule: 'iot-authorizer-timeout',
      message:
        `function is the IoT custom authorizer of ${id} with a ${seconds} s timeout, but IoT Core gives an ` +
        `authorizer at most ${IOT_AUTHORIZER_MAX_TIMEOUT_SECONDS} s: set timeout to ${IOT_AUTHORIZER_MAX_TIMEOUT_SECONDS} or less`,
    });
  }
}

/**
 * Public entry points are capped and hold no secret: no dynamic secret reference in a function's
 * environment, every API Gateway v2 stage throttled by default, every public function (route without
 * authorizer, function URL without auth, unsigned IoT authorizer) with reserved concurrency, and
 * every IoT authorizer function within IoT's 5 s limit.
 *
 * @example
 * const violations = lintEntryPoints(template);
 */
export function lintEntryPoints(template: CfnTemplate): Violation[] {
  return runLints(template, [
    lintSecretsInEnvironment,
    lintStageThrottling,
    lintPublicConcurrency,
    lintAuthorizerTimeouts,
  ]);
}
