import { resourcesOfType, type TemplateResolver } from '@blueprints/packaging';
import { type GenerateSecretStringOptions, generateSecretString } from './generateSecretString.js';
import type { LocalSecretsManager } from './LocalSecretsManager.js';

/** A secret `createSecretsFromTemplate` created. */
export interface LocalSecretInfo {
  logicalId: string;
  name: string;
  arn: string;
}

/**
 * Creates every `AWS::SecretsManager::Secret` of a template in the local Secrets Manager, with its
 * `SecretString` or a value generated from `GenerateSecretString` (a fresh random value per start,
 * as a new stack would get), and points the resolver's `Ref`/`Id` of each at the new ARN, so the
 * functions' environments name the local secret. Call it before the functions are read from the
 * template.
 *
 * @example
 * const sm = await LocalSecretsManager.start({ region, accountId });
 * await createSecretsFromTemplate(resolver, sm);
 * const functions = functionsFromTemplate(resolver); // JWT_SECRET_ARN → the local ARN
 */
export function createSecretsFromTemplate(
  resolver: TemplateResolver,
  secretsManager: LocalSecretsManager,
): LocalSecretInfo[] {
  return resourcesOfType(resolver.template, 'AWS::SecretsManager::Secret', resolver.stack).map(([logicalId, r]) => {
    const p = (resolver.resolve(r.Properties ?? {}, `${logicalId}.Properties`) ?? {}) as {
      Name?: string;
      Description?: string;
      SecretString?: string;
      GenerateSecretString?: GenerateSecretStringOptions;
    };
    const name = p.Name ?? `${logicalId}-${resolver.stack.stackName}`.slice(0, 256);
    const value = p.SecretString ?? generateSecretString(p.GenerateSecretString ?? {});
    const { arn } = secretsManager.createSecret(name, value, p.Description);
    resolver.overrides.set(`${logicalId}.Ref`, arn);
    resolver.overrides.set(`${logicalId}.Id`, arn);
    return { logicalId, name, arn };
  });
}
