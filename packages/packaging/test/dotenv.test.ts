import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DotenvLoadError, localEnvironment, readDotenv } from '../src/index.js';

/** A service folder holding the given files. */
function serviceWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dotenv-service-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('Function: readDotenv()', () => {
  const made: string[] = [];
  const service = (files: Record<string, string>) => {
    const dir = serviceWith(files);
    made.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('reads .env when the stage has no file of its own', () => {
    // Prepare
    const dir = service({ '.env': 'GREETING=hello\n# a comment\nQUOTED="two words"\n' });

    // Act
    const values = readDotenv(dir, 'dev', {});

    // Assess
    expect(values).toEqual({ file: join(dir, '.env'), variables: { GREETING: 'hello', QUOTED: 'two words' } });
  });

  it('reads only .env.<stage> when it exists, as osls does: .env is not merged under it', () => {
    // Prepare
    const dir = service({ '.env': 'GREETING=hello\nONLY_IN_DOTENV=1\n', '.env.prod': 'GREETING=hello from prod\n' });

    // Act
    const prod = readDotenv(dir, 'prod', {});
    const dev = readDotenv(dir, 'dev', {});

    // Assess
    expect(prod).toEqual({ file: join(dir, '.env.prod'), variables: { GREETING: 'hello from prod' } });
    expect(dev?.variables).toEqual({ GREETING: 'hello', ONLY_IN_DOTENV: '1' });
  });

  it('expands references to the shell and to lines above, with defaults', () => {
    // Prepare
    const dir = service({
      '.env': 'HOST=db.local\nURL=postgres://${USER_NAME}@${HOST}:${PORT:-5432}/app\nESCAPED=\\$HOST\n',
    });

    // Act
    const values = readDotenv(dir, 'dev', { USER_NAME: 'alice' });

    // Assess
    expect(values?.variables).toEqual({
      HOST: 'db.local',
      URL: 'postgres://alice@db.local:5432/app',
      ESCAPED: '$HOST',
    });
  });

  it('keeps the value the shell already sets, and leaves the given environment untouched', () => {
    // Prepare
    const dir = service({ '.env': 'GREETING=from the file\nDERIVED=${GREETING}!\n' });
    const shell = { GREETING: 'from the shell' };

    // Act
    const values = readDotenv(dir, 'dev', shell);

    // Assess
    expect(values?.variables).toEqual({ GREETING: 'from the shell', DERIVED: 'from the shell!' });
    expect(shell).toEqual({ GREETING: 'from the shell' });
  });

  it('returns undefined when the service has no dotenv file', () => {
    // Act & Assess
    expect(readDotenv(service({}), 'dev', {})).toBeUndefined();
  });

  it('throws DotenvLoadError naming the file when it cannot be read', () => {
    // Prepare: a folder where the file should be
    const dir = service({});
    mkdirSync(join(dir, '.env.dev'));

    // Act
    const act = () => readDotenv(dir, 'dev', {});

    // Assess
    expect(act).toThrow(DotenvLoadError);
    expect(act).toThrow(join(dir, '.env.dev'));
  });
});

describe('Function: localEnvironment()', () => {
  let dir: string;
  beforeAll(() => {
    dir = serviceWith({ '.env': 'TABLE_ARN=arn:from:dotenv\nAPI_KEY=local-key\n' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const custom = { local: { environment: { TABLE_ARN: 'arn:from:serverless-yml', PORT: 8080 } } };

  it('overlays custom.local.environment with the dotenv file when serverless.yml sets useDotenv: true', () => {
    // Act
    const environment = localEnvironment(dir, 'dev', { useDotenv: true, custom }, {});

    // Assess
    expect(environment).toEqual({ TABLE_ARN: 'arn:from:dotenv', PORT: '8080', API_KEY: 'local-key' });
  });

  it('ignores the dotenv file without useDotenv: true, as osls does', () => {
    // Act
    const environment = localEnvironment(dir, 'dev', { custom }, {});

    // Assess
    expect(environment).toEqual({ TABLE_ARN: 'arn:from:serverless-yml', PORT: '8080' });
  });
});
