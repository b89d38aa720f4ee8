import { iamAuthTokenProvider, passwordProviderFor } from '../../src/database/index.js';

const target = { host: 'rds-proxy-demo-dev.proxy-abc123.eu-west-1.rds.amazonaws.com', port: 5432, user: 'app_admin' };

describe('Function: iamAuthTokenProvider()', () => {
  const saved = { ...process.env };

  beforeAll(() => {
    // Static keys: signing is local, nothing leaves the machine.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST', AWS_SECRET_ACCESS_KEY: 'local-secret' });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  });

  afterAll(() => {
    process.env = saved;
  });

  it('signs a 15-minute rds-db connect token for the endpoint and user', async () => {
    // Act
    const token = await iamAuthTokenProvider('eu-west-1')(target);

    // Assess
    const url = new URL(`https://${token}`);
    expect(url.host).toBe(`${target.host}:5432`);
    expect(url.searchParams.get('Action')).toBe('connect');
    expect(url.searchParams.get('DBUser')).toBe('app_admin');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIDLOCALTEST\/\d{8}\/eu-west-1\/rds-db\/aws4_request$/);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs a new token on every call instead of handing out a cached one', async () => {
    // Prepare
    const provider = iamAuthTokenProvider('eu-west-1');
    const first = new URL(`https://${await provider(target)}`);
    await new Promise((resolve) => setTimeout(resolve, 1100));

    // Act
    const second = new URL(`https://${await provider(target)}`);

    // Assess
    expect(second.searchParams.get('X-Amz-Date')).not.toBe(first.searchParams.get('X-Amz-Date'));
    expect(second.searchParams.get('X-Amz-Signature')).not.toBe(first.searchParams.get('X-Amz-Signature'));
  });

  it('signs for the host being connected to (the read-only endpoint gets its own token)', async () => {
    // Act
    const token = await iamAuthTokenProvider('eu-west-1')({
      ...target,
      host: 'ro.endpoint.proxy-abc123.eu-west-1.rds.amazonaws.com',
    });

    // Assess
    expect(token).toMatch(/^ro\.endpoint\.proxy-abc123\.eu-west-1\.rds\.amazonaws\.com:5432\/\?Action=connect&/);
  });
});

describe('Function: passwordProviderFor()', () => {
  const base = {
    host: 'h',
    readerHost: 'h',
    port: 5432,
    database: 'app',
    user: 'app_admin',
    region: 'eu-west-1',
    connectTimeoutMs: 1000,
    statementTimeoutMs: 1000,
    applicationName: 'test',
  };

  it('returns the configured password in password mode', async () => {
    // Act
    const password = await passwordProviderFor({ ...base, auth: 'password', password: 'pw' })(target);

    // Assess
    expect(password).toBe('pw');
  });

  it('returns no password in trust mode', async () => {
    // Act
    const password = await passwordProviderFor({ ...base, auth: 'trust' })(target);

    // Assess
    expect(password).toBeUndefined();
  });
});
