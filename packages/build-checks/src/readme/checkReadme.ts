import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import {
  endpointVariablesOf,
  linkedPathsOf,
  localPortsOf,
  pathsInCodeOf,
  pnpmCommandsOf,
  portsInProseOf,
  portTableRowsOf,
} from './readmeReferences.js';

/** The local ports a project documents, and how a README may name each. */
export interface DocumentedPorts {
  /** Default port by the flag that sets it (`--port` → 4000). */
  byFlag: Record<string, number>;
  /** SDK endpoint variable → the flag of the stand-in it points at (`AWS_ENDPOINT_URL_DYNAMODB` → `--dynamodb-port`). */
  endpointVariables: Record<string, string>;
  /** A name used in prose as "<name> on <port>" → its flag (`DynamoDB` → `--dynamodb-port`). */
  proseNames: Record<string, string>;
  /** Other local ports a README may name, each with where it comes from. */
  otherPorts: Record<number, string>;
}

export interface ReadmeCheckContext {
  /** The project root: its package.json scripts run from there (`pnpm dev`), and paths in code may be root-relative. */
  root: string;
  /** Workspace packages by name → folder, for `pnpm --filter <name> <script>`. */
  packages: Map<string, string>;
  ports?: DocumentedPorts;
}

function scriptsOf(dir: string): Record<string, string> {
  const manifest = join(dir, 'package.json');
  return existsSync(manifest)
    ? ((JSON.parse(readFileSync(manifest, 'utf8')).scripts ?? {}) as Record<string, string>)
    : {};
}

/** The folder of the package.json nearest to `dir` (up to `root`). */
function packageDirOf(dir: string, root: string): string {
  let current = dir;
  while (!existsSync(join(current, 'package.json')) && current !== root && current !== dirname(current)) {
    current = dirname(current);
  }
  return current;
}

function checkCommands(markdown: string, where: string, dir: string, context: ReadmeCheckContext): string[] {
  const problems: string[] = [];
  const own = scriptsOf(packageDirOf(dir, context.root));
  const root = scriptsOf(context.root);
  for (const { line, value } of pnpmCommandsOf(markdown)) {
    if (value.filter !== undefined) {
      if (value.filter.startsWith('<')) continue; // a placeholder such as `<service>`
      const folder = context.packages.get(value.filter);
      if (!folder) problems.push(`${where}:${line}: pnpm --filter ${value.filter}: no package named ${value.filter}`);
      else if (!(value.script in scriptsOf(folder))) {
        problems.push(
          `${where}:${line}: pnpm --filter ${value.filter} ${value.script}: ${value.filter} has no such script`,
        );
      }
    } else if (!(value.script in own) && !(value.script in root)) {
      problems.push(`${where}:${line}: pnpm ${value.script}: no such script in its package.json or the project root's`);
    }
  }
  return problems;
}

/** Build output and local data: named by READMEs, absent from a fresh checkout. */
const GENERATED = /(?:^|\/)(?:\.serverless|\.esbuild|\.local|test-results|node_modules|dist)(?:\/|$)/;
/** A placeholder segment such as `NNNN_what_it_does.sql`. */
const PLACEHOLDER = /N{3,}|X{3,}/;

function checkPaths(markdown: string, where: string, dir: string, context: ReadmeCheckContext): string[] {
  const problems: string[] = [];
  for (const { line, value } of linkedPathsOf(markdown)) {
    if (!existsSync(resolve(dir, decodeURI(value)))) problems.push(`${where}:${line}: link to ${value}: no such file`);
  }
  // A path in code may be relative to the README, to the project root, or name a file every package has.
  const bases = [dir, context.root, ...context.packages.values()];
  for (const { line, value } of pathsInCodeOf(markdown)) {
    if (GENERATED.test(value) || PLACEHOLDER.test(value)) continue;
    if (!bases.some((base) => existsSync(resolve(base, value)))) {
      problems.push(`${where}:${line}: \`${value}\`: no such file or folder (from the README, the root or a package)`);
    }
  }
  return problems;
}

function checkPorts(markdown: string, where: string, ports: DocumentedPorts): string[] {
  const problems: string[] = [];
  const known = new Map<number, string>(Object.entries(ports.byFlag).map(([flag, port]) => [port, flag]));
  for (const [port, why] of Object.entries(ports.otherPorts)) known.set(Number(port), why);
  for (const { line, value } of endpointVariablesOf(markdown)) {
    const flag = ports.endpointVariables[value.variable];
    if (!flag) problems.push(`${where}:${line}: ${value.variable}: no local stand-in is known for this variable`);
    else if (ports.byFlag[flag] !== value.port) {
      problems.push(
        `${where}:${line}: ${value.variable} on ${value.port}, but pnpm dev serves it on ${ports.byFlag[flag]} (${flag})`,
      );
    }
  }
  for (const { line, value } of localPortsOf(markdown)) {
    if (!known.has(value))
      problems.push(`${where}:${line}: local port ${value} is not a port pnpm dev (or a documented tool) uses`);
  }
  for (const { line, value } of portsInProseOf(markdown, Object.keys(ports.proseNames))) {
    const flag = ports.proseNames[value.name]!;
    if (ports.byFlag[flag] !== value.port) {
      problems.push(
        `${where}:${line}: "${value.name} on ${value.port}", but pnpm dev uses ${ports.byFlag[flag]} (${flag})`,
      );
    }
  }
  for (const { line, value } of portTableRowsOf(markdown)) {
    if (ports.byFlag[value.flag] !== value.port) {
      problems.push(
        `${where}:${line}: ${value.flag} is documented as ${value.port}, but defaults to ${ports.byFlag[value.flag]}`,
      );
    }
  }
  return problems;
}

/**
 * What a README names that does not hold: `pnpm` scripts its package.json (or the root's) lacks,
 * links and code-span paths to files that do not exist, and local ports that differ from the
 * ones `pnpm dev` uses. One line per problem, `README path:line: what`.
 *
 * @example
 * checkReadme('services/shop/README.md', { root, packages: new Map([['shop', 'services/shop']]) });
 * // ['services/shop/README.md:12: pnpm deplyo: no such script in its package.json or the project root's']
 */
export function checkReadme(readmePath: string, context: ReadmeCheckContext): string[] {
  const markdown = readFileSync(readmePath, 'utf8');
  const dir = dirname(resolve(readmePath));
  const where = relative(context.root, resolve(readmePath));
  return [
    ...checkCommands(markdown, where, dir, context),
    ...checkPaths(markdown, where, dir, context),
    ...(context.ports ? checkPorts(markdown, where, context.ports) : []),
  ];
}
