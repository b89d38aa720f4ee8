import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CfnResource,
  type CfnTemplate,
  ensurePackaged,
  loadPackagedTemplate,
  resourcesOfType,
  TemplateResolver,
} from '@blueprints/offline';

const serviceDir = join(dirname(fileURLToPath(import.meta.url)), '..');

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const propertiesOf = (template: CfnTemplate, logicalId: string) =>
  (template.Resources[logicalId] as CfnResource).Properties as Record<string, unknown>;

const statementsOf = (document: unknown): Statement[] => (document as { Statement: Statement[] }).Statement;

describe('Packaged template (osls package)', () => {
  let template: CfnTemplate;

  beforeAll(async () => {
    await ensurePackaged(serviceDir);
    template = loadPackagedTemplate(serviceDir);
  }, 180_000);

  it('grants rds-db:connect only on the proxy resource id and the app user, derived from the proxy ARN', () => {
    // Prepare
    const resolver = new TemplateResolver(template, {
      stackName: 'rds-proxy-demo-dev',
      region: 'eu-west-1',
      accountId: '123456789012',
    });
    resolver.overrides.set(
      'DatabaseProxy.DBProxyArn',
      'arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-0123456789abcdef0',
    );
    const statements = statementsOf(propertiesOf(template, 'DatabaseClientPolicy').PolicyDocument);
    const connect = statements.filter((statement) => [statement.Action].flat().some((a) => a.startsWith('rds-db:')));

    // Act
    const resource = resolver.resolve(connect[0]?.Resource);

    // Assess
    expect(connect).toHaveLength(1);
    expect(connect[0]?.Action).toBe('rds-db:connect');
    expect(resource).toBe('arn:aws:rds-db:eu-west-1:123456789012:dbuser:prx-0123456789abcdef0/app_admin');
  });

  it('gives every function its own role: its log group, the shared database policy, nothing else', () => {
    // Prepare
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');

    // Assess
    expect(functions.map(([id]) => id).sort()).toEqual([
      'ArticlesLambdaFunction',
      'MigrateLambdaFunction',
      'VersionLambdaFunction',
    ]);
    for (const [id] of functions) {
      const fn = propertiesOf(template, id);
      const name = String(fn.FunctionName);
      const roleId = (fn.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const role = propertiesOf(template, roleId);
      expect(role.ManagedPolicyArns).toEqual([{ Ref: 'DatabaseClientPolicy' }]);
      const [inline] = role.Policies as Array<{ PolicyDocument: unknown }>;
      expect(statementsOf(inline?.PolicyDocument)).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: {
            'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${name}:*`,
          },
        },
      ]);
    }
  });

  it('runs every function in the private subnets behind the Lambda security group, pointed at the proxy', () => {
    // Prepare
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');

    // Assess
    for (const [id] of functions) {
      const fn = propertiesOf(template, id);
      expect(fn.VpcConfig).toEqual({
        SecurityGroupIds: [{ Ref: 'LambdaSecurityGroup' }],
        SubnetIds: [{ Ref: 'PrivateSubnetA' }, { Ref: 'PrivateSubnetB' }],
      });
      const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.DB_HOST).toEqual({ 'Fn::GetAtt': ['DatabaseProxy', 'Endpoint'] });
      expect(variables).toMatchObject({ DB_NAME: 'app', DB_USER: 'app_admin' });
      // Local-only switches must never be deployed: the code defaults to IAM auth and verified TLS.
      for (const localOnly of ['DB_AUTH', 'DB_PASSWORD', 'DB_TLS', 'DB_CA_FILE']) {
        expect([id, variables[localOnly]]).toEqual([id, undefined]);
      }
    }
    const articles = propertiesOf(template, 'ArticlesLambdaFunction').Environment as {
      Variables: Record<string, unknown>;
    };
    expect(articles.Variables.DB_READER_HOST).toEqual({ 'Fn::GetAtt': ['DatabaseProxyReaderEndpoint', 'Endpoint'] });
  });

  it('configures the proxy for IAM auth, TLS and the managed master secret', () => {
    // Prepare
    const proxy = propertiesOf(template, 'DatabaseProxy');
    const proxyRole = propertiesOf(template, 'DatabaseProxyRole');

    // Assess
    expect(proxy).toMatchObject({ EngineFamily: 'POSTGRESQL', RequireTLS: true });
    expect(proxy.Auth).toEqual([
      {
        AuthScheme: 'SECRETS',
        SecretArn: { 'Fn::GetAtt': ['DatabaseCluster', 'MasterUserSecret.SecretArn'] },
        IAMAuth: 'REQUIRED',
        ClientPasswordAuthType: 'POSTGRES_SCRAM_SHA_256',
      },
    ]);
    expect(statementsOf((proxyRole.Policies as Array<{ PolicyDocument: unknown }>)[0]?.PolicyDocument)).toEqual([
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: { 'Fn::GetAtt': ['DatabaseCluster', 'MasterUserSecret.SecretArn'] },
      },
    ]);
    expect(propertiesOf(template, 'DatabaseProxyTargetGroup')).toMatchObject({
      DBProxyName: { Ref: 'DatabaseProxy' },
      TargetGroupName: 'default',
      DBClusterIdentifiers: [{ Ref: 'DatabaseCluster' }],
    });
    expect(propertiesOf(template, 'DatabaseProxyReaderEndpoint')).toMatchObject({
      DBProxyName: { Ref: 'DatabaseProxy' },
      TargetRole: 'READ_ONLY',
    });
    expect(Object.keys(template.Outputs ?? {})).toEqual(
      expect.arrayContaining(['ProxyEndpoint', 'ProxyReaderEndpoint']),
    );
  });

  it('creates an encrypted Aurora PostgreSQL 16 cluster with a managed password and two serverless instances in two AZs', () => {
    // Prepare
    const cluster = propertiesOf(template, 'DatabaseCluster');
    const instances = resourcesOfType(template, 'AWS::RDS::DBInstance').map(([, r]) => r.Properties ?? {});

    // Assess
    expect(cluster).toMatchObject({
      Engine: 'aurora-postgresql',
      EngineVersion: expect.stringMatching(/^16\./),
      ManageMasterUserPassword: true,
      StorageEncrypted: true,
      EnableIAMDatabaseAuthentication: true,
      BackupRetentionPeriod: 7,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 2 },
    });
    expect(cluster.MasterUserPassword).toBeUndefined();
    expect(instances).toHaveLength(2);
    expect(instances.map((instance) => instance.DBInstanceClass)).toEqual(['db.serverless', 'db.serverless']);
    expect(instances.map((instance) => instance.AvailabilityZone)).toEqual([
      { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] },
    ]);
  });

  it('chains the security groups Lambda → proxy → cluster on 5432 only', () => {
    // Prepare
    const rule = (protocol: string, port: number) => ({ IpProtocol: protocol, FromPort: port, ToPort: port });
    const ingress = resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    const egressOf = (id: string) => propertiesOf(template, id).SecurityGroupEgress as Array<Record<string, unknown>>;

    // Assess
    expect(ingress).toEqual([
      expect.objectContaining({
        GroupId: { Ref: 'ProxySecurityGroup' },
        SourceSecurityGroupId: { Ref: 'LambdaSecurityGroup' },
        ...rule('tcp', 5432),
      }),
      expect.objectContaining({
        GroupId: { Ref: 'ClusterSecurityGroup' },
        SourceSecurityGroupId: { Ref: 'ProxySecurityGroup' },
        ...rule('tcp', 5432),
      }),
    ]);
    expect(egressOf('LambdaSecurityGroup')).toEqual([
      expect.objectContaining({ DestinationSecurityGroupId: { Ref: 'ProxySecurityGroup' }, ...rule('tcp', 5432) }),
    ]);
    expect(egressOf('ProxySecurityGroup')).toEqual([
      expect.objectContaining({ DestinationSecurityGroupId: { Ref: 'ClusterSecurityGroup' }, ...rule('tcp', 5432) }),
    ]);
    for (const id of ['LambdaSecurityGroup', 'ProxySecurityGroup', 'ClusterSecurityGroup']) {
      expect(propertiesOf(template, id).SecurityGroupIngress).toBeUndefined();
    }
  });

  it('has no NAT gateway and no route out of the private subnets', () => {
    // Prepare
    const routes = resourcesOfType(template, 'AWS::EC2::Route').map(([, r]) => r.Properties);

    // Assess
    expect(resourcesOfType(template, 'AWS::EC2::NatGateway')).toEqual([]);
    expect(routes).toEqual([
      {
        RouteTableId: { Ref: 'PublicRouteTable' },
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: { Ref: 'InternetGateway' },
      },
    ]);
    expect(resourcesOfType(template, 'AWS::EC2::Subnet')).toHaveLength(4);
  });
});
