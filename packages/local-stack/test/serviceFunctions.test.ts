import { TemplateResolver, UnresolvableEnvironmentError } from '@blueprints/packaging';
import { serviceFunctionsFromTemplate } from '../src/serviceFunctions.js';

function resolverWith(variables: Record<string, unknown>): TemplateResolver {
  return new TemplateResolver(
    {
      Resources: {
        Secret: { Type: 'AWS::SecretsManager::Secret' },
        Endpoint: { Type: 'Custom::IotEndpoint' },
        Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'svc-dev-table' } },
        FnLambdaFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            FunctionName: 'svc-dev-fn',
            Handler: 'src/handlers/fn.handler',
            Timeout: 12,
            Environment: { Variables: variables },
          },
        },
      },
    },
    { stackName: 'svc-dev', region: 'us-east-1', accountId: '000000000000' },
  );
}

describe('Function: serviceFunctionsFromTemplate()', () => {
  it('resolves what the template can tell and takes the rest from custom.local.environment', () => {
    // Prepare
    const resolver = resolverWith({
      TABLE_NAME: { Ref: 'Table' },
      IOT_ENDPOINT: { 'Fn::GetAtt': ['Endpoint', 'Address'] },
      JWT_SECRET: { 'Fn::Sub': '{{resolve:secretsmanager:${Secret}:SecretString}}' },
    });

    // Act
    const [fn] = serviceFunctionsFromTemplate(resolver, {
      IOT_ENDPOINT: 'example-ats.iot.us-east-1.amazonaws.com',
      JWT_SECRET: 'local-secret',
      TABLE_NAME: 'not-used',
    });

    // Assess
    expect(fn).toMatchObject({
      name: 'svc-dev-fn',
      handler: 'src/handlers/fn.handler',
      timeoutSeconds: 12,
      environment: {
        TABLE_NAME: 'svc-dev-table',
        IOT_ENDPOINT: 'example-ats.iot.us-east-1.amazonaws.com',
        JWT_SECRET: 'local-secret',
      },
    });
  });

  it('names the function and the variable when neither the template nor custom.local.environment has a value', () => {
    // Prepare
    const resolver = resolverWith({ IOT_ENDPOINT: { 'Fn::GetAtt': ['Endpoint', 'Address'] } });

    // Act & Assess
    expect(() => serviceFunctionsFromTemplate(resolver, {})).toThrow(UnresolvableEnvironmentError);
    expect(() => serviceFunctionsFromTemplate(resolver, {})).toThrow(
      /svc-dev-fn: environment variable IOT_ENDPOINT cannot be computed locally .*custom\.local\.environment/,
    );
  });
});
