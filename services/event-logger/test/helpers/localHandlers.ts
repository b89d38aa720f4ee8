import { functionsFromTemplate, type LocalFunction, LocalLambda, sourceHandlerLoader } from '@blueprints/local-runtime';
import type { TemplateResolver } from '@blueprints/packaging';
import { REGION } from './factories.js';
import { LOCAL_CREDENTIALS, SERVICE_DIR } from './localTable.js';

/**
 * The service's functions as the packaged template declares them (timeouts, environment), loaded from
 * source, with `environment` on top (endpoints of local stand-ins). The template's POWERTOOLS_LOG_LEVEL
 * (INFO) would win over a base environment, as in Lambda, so the log level is set per function here.
 */
export function localFunctions(
  resolver: TemplateResolver,
  environment: Record<string, string>,
  logLevel = 'WARN',
): LocalLambda {
  const functions: LocalFunction[] = functionsFromTemplate(resolver).map((fn) => ({
    ...fn,
    environment: { ...fn.environment, POWERTOOLS_LOG_LEVEL: logLevel },
  }));
  return new LocalLambda(functions, sourceHandlerLoader(SERVICE_DIR), {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...environment,
  });
}

/** Invokes a function and measures how long it took, against its configured timeout. */
export async function timedInvoke<T>(
  lambda: LocalLambda,
  logicalId: string,
  event: unknown,
): Promise<{ result: T; elapsedMs: number; timeoutMs: number }> {
  const timeoutMs = lambda.find(logicalId).timeoutSeconds * 1000;
  const started = performance.now();
  const result = (await lambda.invoke(logicalId, event)) as T;
  return { result, elapsedMs: Math.round(performance.now() - started), timeoutMs };
}
