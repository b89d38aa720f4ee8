import type { LocalFunction } from '@blueprints/local-runtime';
import { functionEnvironment, resourcesOfType, type TemplateResolver } from '@blueprints/packaging';

/**
 * Like `functionsFromTemplate`, but each environment variable is resolved on its own, falling back to
 * `custom.local.environment` (`functionEnvironment` of @blueprints/packaging); a variable in neither
 * place is an `UnresolvableEnvironmentError` naming it.
 */
export function serviceFunctionsFromTemplate(
  resolver: TemplateResolver,
  localEnvironment: Record<string, string>,
): LocalFunction[] {
  return resourcesOfType(resolver.template, 'AWS::Lambda::Function', resolver.stack).map(([logicalId, r]) => {
    const p = r.Properties ?? {};
    const name = resolver.physicalName(logicalId);
    return {
      logicalId,
      name,
      arn: resolver.arn(logicalId),
      handler: String(p.Handler),
      environment: functionEnvironment(resolver, logicalId, localEnvironment),
      timeoutSeconds: Number(p.Timeout ?? 6),
      memorySize: Number(p.MemorySize ?? 1024),
    };
  });
}
