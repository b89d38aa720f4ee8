import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CfnResource,
  type CfnTemplate,
  ensurePackaged,
  loadPackagedTemplate,
  resourcesOfType,
  TemplateResolver,
} from '@blueprints/packaging';

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

  const resolverFor = () => {
    const resolver = new TemplateResolver(template, {
      stackName: 'rds-proxy-demo-dev',
      region: 'eu-west-1',
      accountId: '123456789012',
    });
    resolver.overrides.set(
      'DatabaseProxy.DBProxyArn',
      'arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-0123456789abcdef0',
    );
    resolver.overrides.set('DatabaseCluster.DBClusterResourceId', 'cluster-ABCDEFGHIJKLMNOP');
    return resolver;
  };
  const roleOf = (functionId: string) =>
    propertiesOf(
      template,
      (propertiesOf(template, functionId).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0],
    );
  const inlineStatements = (role: Record<string, unknown>) =>
    (role.Policies as Array<{ PolicyDocument: unknown }>).flatMap((policy) => statementsOf(policy.PolicyDocument));
  const managedStatements = (role: Record<string, unknown>) =>
    ((role.ManagedPolicyArns ?? []) as Array<{ Ref: string }>).flatMap((ref) =>
      statementsOf(propertiesOf(template, ref.Ref).PolicyDocument),
    );
  const connectResources = (statements: Statement[]) =>
    statements
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('rds-db:')))
      .flatMap((statement) => [resolverFor().resolve(statement.Resource)].flat());

  it.each([
    ['ArticlesLambdaFunction', 'articles_reader'],
    ['VersionLambdaFunction', 'app_monitor'],
    ['MigrateLambdaFunction', 'app_migrator'],
  ])('lets %s rds-db:connect through the proxy as its own database user only', (functionId, user) => {
    // Prepare
    const role = roleOf(functionId);
    const statements = [...inlineStatements(role), ...managedStatements(role)];
    const variables = (propertiesOf(template, functionId).Environment as { Variables: Record<string, unknown> })
      .Variables;

    // Act
    const resources = connectResources(statements);

    // Assess
    expect(resources).toEqual([`arn:aws:rds-db:eu-west-1:123456789012:dbuser:prx-0123456789abcdef0/${user}`]);
    expect(variables.DB_USER).toBe(user);
    expect(statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('rds-db:')))).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'rds-db:connect' }),
    ]);
  });

  it('names the master user in no rds-db:connect resource, of any role', () => {
    // Prepare
    const cluster = propertiesOf(template, 'DatabaseCluster');
    const roles = resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => propertiesOf(template, id));
    const policies = resourcesOfType(template, 'AWS::IAM::ManagedPolicy').map(([id]) => propertiesOf(template, id));

    // Act
    const resources = [
      ...roles.flatMap((role) => connectResources(inlineStatements(role))),
      ...policies.flatMap((policy) => connectResources(statementsOf(policy.PolicyDocument))),
    ];

    // Assess
    expect(cluster.MasterUsername).toBe('app_admin');
    expect(resources.length).toBeGreaterThanOrEqual(6);
    for (const resource of resources) expect(resource).not.toMatch(/\/app_admin$/);
    expect(resources.every((resource) => /\/(articles_reader|app_monitor|app_migrator)$/.test(String(resource)))).toBe(
      true,
    );
  });

  it('gives every function its own role: its log group, its database user, the shared network policy', () => {
    // Prepare
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');

    // Assess
    expect(functions.map(([id]) => id).sort()).toEqual([
      'ArticlesLambdaFunction',
      'MigrateLambdaFunction',
      'VersionLambdaFunction',
    ]);
    const roleIds = new Set<string>();
    for (const [id] of functions) {
      const fn = propertiesOf(template, id);
      const name = String(fn.FunctionName);
      const roleId = (fn.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      roleIds.add(roleId);
      const role = propertiesOf(template, roleId);
      expect(role.ManagedPolicyArns).toEqual([{ Ref: 'FunctionNetworkPolicy' }]);
      const [logs, connect] = role.Policies as Array<{ PolicyDocument: unknown }>;
      expect(statementsOf(logs?.PolicyDocument)).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: {
            'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${name}:*`,
          },
        },
      ]);
      expect(statementsOf(connect?.PolicyDocument)).toHaveLength(1);
    }
    expect(roleIds.size).toBe(3);
    expect(
      statementsOf(propertiesOf(template, 'FunctionNetworkPolicy').PolicyDocument).flatMap((s) => [s.Action].flat()),
    ).not.toContain('rds-db:connect');
  });

  it('enables the Data API endpoint on the cluster and outputs what the console needs', () => {
    // Prepare
    const cluster = propertiesOf(template, 'DatabaseCluster');

    // Assess
    expect(cluster.EnableHttpEndpoint).toBe(true);
    expect(template.Outputs?.DatabaseClusterArn?.Value).toEqual({ 'Fn::GetAtt': ['DatabaseCluster', 'DBClusterArn'] });
    expect(template.Outputs?.DatabaseSecretArn?.Value).toEqual({
      'Fn::GetAtt': ['DatabaseCluster', 'MasterUserSecret.SecretArn'],
    });
  });

  it('throttles the HTTP API stage and caps the public function with reserved concurrency', () => {
    // Assess
    expect(propertiesOf(template, 'HttpApiStage').DefaultRouteSettings).toEqual({
      ThrottlingBurstLimit: 20,
      ThrottlingRateLimit: 10,
    });
    expect(propertiesOf(template, 'ArticlesLambdaFunction').ReservedConcurrentExecutions).toBe(10);
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
      expect(variables).toMatchObject({ DB_NAME: 'app' });
      expect(variables.DB_USER).not.toBe('app_admin');
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

  it('configures the proxy for end-to-end IAM auth and TLS, with no secret, logging in as the function users only', () => {
    // Prepare
    const proxy = propertiesOf(template, 'DatabaseProxy');
    const proxyRole = propertiesOf(template, 'DatabaseProxyRole');

    // Act
    const statements = inlineStatements(proxyRole);

    // Assess
    expect(proxy).toMatchObject({ EngineFamily: 'POSTGRESQL', RequireTLS: true, DefaultAuthScheme: 'IAM_AUTH' });
    expect(proxy.Auth).toBeUndefined();
    expect(statements.flatMap((s) => [s.Action].flat())).toEqual(['rds-db:connect']);
    expect(connectResources(statements)).toEqual([
      'arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-ABCDEFGHIJKLMNOP/app_migrator',
      'arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-ABCDEFGHIJKLMNOP/articles_reader',
      'arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-ABCDEFGHIJKLMNOP/app_monitor',
    ]);
    expect(JSON.stringify(template.Resources)).not.toMatch(/secretsmanager:GetSecretValue/);
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
