import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DEFAULT_DEV_PORTS, DEV_PORT_FLAGS, type DevPorts } from '@blueprints/dev/ports';
import {
  checkReadme,
  type DocumentedPorts,
  endpointVariablesOf,
  pnpmCommandsOf,
  portsInProseOf,
} from '../src/index.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');

/** The SDK endpoint variable, and the name prose uses, of each stand-in `pnpm dev` starts. */
const STAND_INS: Partial<Record<keyof DevPorts, { variables: string[]; prose: string[] }>> = {
  eventBridge: { variables: ['AWS_ENDPOINT_URL_EVENTBRIDGE'], prose: ['EventBridge'] },
  sqs: { variables: ['AWS_ENDPOINT_URL_SQS'], prose: ['SQS'] },
  dynamodb: { variables: ['AWS_ENDPOINT_URL_DYNAMODB'], prose: ['DynamoDB'] },
  s3: { variables: ['AWS_ENDPOINT_URL_S3'], prose: ['S3'] },
  kinesis: { variables: ['AWS_ENDPOINT_URL_KINESIS'], prose: ['Kinesis'] },
  iotWebSocket: { variables: ['AWS_ENDPOINT_URL_IOT_DATA_PLANE'], prose: ['IoT'] },
  postgres: { variables: [], prose: ['PostgreSQL'] },
  lambda: { variables: ['AWS_ENDPOINT_URL_LAMBDA'], prose: [] },
};

/** Every folder holding a package.json of the workspace (root, packages, services, bench). */
function workspaceFolders(): string[] {
  const folders = [repoRoot];
  for (const parent of ['packages', 'services']) {
    for (const name of readdirSync(join(repoRoot, parent))) folders.push(join(repoRoot, parent, name));
  }
  folders.push(join(repoRoot, 'bench'));
  return folders.filter((dir) => existsSync(join(dir, 'package.json')));
}

/** Numbers written as literals in a folder's code: a port a package's own tool listens on (e.g. a web server's default). */
function numericLiteralsIn(dir: string): Set<number> {
  const found = new Set<number>();
  const visit = (path: string): void => {
    for (const entry of readdirSync(path)) {
      if (entry === 'node_modules' || entry.startsWith('.') || entry === 'test') continue;
      const child = join(path, entry);
      if (statSync(child).isDirectory()) visit(child);
      else if (/\.(ts|mjs|cjs|js)$/.test(entry)) {
        for (const m of readFileSync(child, 'utf8').matchAll(/\b(\d{4,5})\b/g)) found.add(Number(m[1]));
      }
    }
  };
  visit(dir);
  return found;
}

function documentedPorts(folder: string, serviceCount: number): DocumentedPorts {
  const byFlag = Object.fromEntries(
    Object.entries(DEV_PORT_FLAGS).map(([key, { flag }]) => [flag, DEFAULT_DEV_PORTS[key as keyof DevPorts]]),
  );
  const endpointVariables: Record<string, string> = {};
  const proseNames: Record<string, string> = {};
  for (const [key, names] of Object.entries(STAND_INS)) {
    const { flag } = DEV_PORT_FLAGS[key as keyof DevPorts];
    for (const variable of names.variables) endpointVariables[variable] = flag;
    for (const name of names.prose) proseNames[name] = flag;
  }
  const otherPorts: Record<number, string> = {};
  // One HTTP API per service: the base port + the service's index.
  for (let i = 1; i < serviceCount; i++) otherPorts[DEFAULT_DEV_PORTS.http + i] = `HTTP API of service ${i}`;
  for (const port of numericLiteralsIn(folder)) otherPorts[port] ??= `a literal in ${relative(repoRoot, folder)}`;
  return { byFlag, endpointVariables, proseNames, otherPorts };
}

describe('Function: checkReadme()', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'readme-check-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'shop', scripts: { test: 'jest' } }));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'index.ts'), '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const ports: DocumentedPorts = {
    byFlag: { '--dynamodb-port': 8000 },
    endpointVariables: { AWS_ENDPOINT_URL_DYNAMODB: '--dynamodb-port' },
    proseNames: { DynamoDB: '--dynamodb-port' },
    otherPorts: {},
  };

  it('passes a README whose commands, paths and ports hold', () => {
    // Prepare
    writeFileSync(
      join(dir, 'README.md'),
      '# shop\n\n```bash\npnpm test\nAWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000 pnpm test\n```\n\nSee [the entry](src/index.ts), `src/index.ts`, DynamoDB on 8000.\n',
    );

    // Act
    const problems = checkReadme(join(dir, 'README.md'), { root: dir, packages: new Map(), ports });

    // Assess
    expect(problems).toEqual([]);
  });

  it('names each missing script, missing file and wrong port with its line', () => {
    // Prepare
    writeFileSync(
      join(dir, 'README.md'),
      '# shop\n\n```bash\npnpm deplyo\nAWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:4567 pnpm test\n```\n\n[gone](docs/gone.md), `src/missing.ts`, DynamoDB on 4567, `pnpm --filter other test`, http://127.0.0.1:9999/.\n',
    );

    // Act
    const problems = checkReadme(join(dir, 'README.md'), { root: dir, packages: new Map(), ports });

    // Assess
    expect(problems).toEqual([
      "README.md:4: pnpm deplyo: no such script in its package.json or the project root's",
      'README.md:8: pnpm --filter other: no package named other',
      'README.md:8: link to docs/gone.md: no such file',
      'README.md:8: `src/missing.ts`: no such file or folder (from the README, the root or a package)',
      'README.md:5: AWS_ENDPOINT_URL_DYNAMODB on 4567, but pnpm dev serves it on 8000 (--dynamodb-port)',
      'README.md:5: local port 4567 is not a port pnpm dev (or a documented tool) uses',
      'README.md:8: local port 9999 is not a port pnpm dev (or a documented tool) uses',
      'README.md:8: "DynamoDB on 4567", but pnpm dev uses 8000 (--dynamodb-port)',
    ]);
  });
});

describe('Function: pnpmCommandsOf()', () => {
  it('reads scripts after flags and `run`, and skips pnpm’s own commands', () => {
    // Act
    const commands = pnpmCommandsOf(
      '`pnpm install`, `pnpm exec osls package`, `pnpm run web`, `pnpm --filter shop db -- x`',
    );

    // Assess
    expect(commands.map((c) => c.value)).toEqual([{ script: 'web' }, { script: 'db', filter: 'shop' }]);
  });
});

describe('Function: endpointVariablesOf() and portsInProseOf()', () => {
  it('finds numeric ports only (a PORT placeholder is not a claim)', () => {
    // Act
    const variables = endpointVariablesOf(
      'AWS_ENDPOINT_URL_S3=http://127.0.0.1:4569 AWS_ENDPOINT_URL_SQS=http://127.0.0.1:PORT',
    );
    const prose = portsInProseOf('(EventBridge on 4010, S3 on 4569)', ['EventBridge', 'S3']);

    // Assess
    expect(variables.map((v) => v.value)).toEqual([{ variable: 'AWS_ENDPOINT_URL_S3', port: 4569 }]);
    expect(prose.map((p) => p.value)).toEqual([
      { name: 'EventBridge', port: 4010 },
      { name: 'S3', port: 4569 },
    ]);
  });
});

describe('Every README of the repository', () => {
  const folders = workspaceFolders();
  const packages = new Map(
    folders.map((dir) => [JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name as string, dir]),
  );
  const serviceCount = readdirSync(join(repoRoot, 'services')).filter((s) =>
    existsSync(join(repoRoot, 'services', s, 'serverless.yml')),
  ).length;
  const docs = readdirSync(join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(repoRoot, 'docs', name));
  const readmes = [...folders.map((dir) => join(dir, 'README.md')), ...docs]
    .filter((path) => existsSync(path))
    .map((path) => relative(repoRoot, path));

  it.each(readmes)('%s: every pnpm command, path and port it names holds', (readme) => {
    // Act
    const folder = join(repoRoot, readme, '..');
    const problems = checkReadme(join(repoRoot, readme), {
      root: repoRoot,
      packages,
      ports: documentedPorts(folder, serviceCount),
    });

    // Assess
    expect(problems).toEqual([]);
  });
});
