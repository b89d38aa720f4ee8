import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { extname, join } from 'node:path';
import { isBuildOutput } from '@blueprints/packaging';

const CODE_FILES = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);
const NOT_SCANNED = new Set(['node_modules', '.local', 'test-results', 'coverage']);
const BUILTINS = new Set(builtinModules);

// `import … from 'x'`, `export … from 'x'`, `import 'x'`, `import('x')`, `require('x')` and
// `createRequire(…)('x')`, and `require.resolve('x')` / `createRequire(…).resolve('x')` (a package found at
// run time, e.g. a browser bundle).
const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*|\bcreateRequire\([^()]*\)\s*\(\s*|\.resolve\s*\(\s*)(['"])([^'"\n]+)\1/g;

/**
 * The package a module specifier names (`@aws-sdk/client-s3/dist` → `@aws-sdk/client-s3`), or
 * undefined for relative paths, absolute paths and Node built-ins.
 */
export function packageOfSpecifier(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  if (BUILTINS.has(name) || !/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name)) return undefined;
  return name;
}

/**
 * The packages a piece of source text imports or requires.
 *
 * @example
 * packagesImportedBy("import { Logger } from '@aws-lambda-powertools/logger';"); // ['@aws-lambda-powertools/logger']
 */
export function packagesImportedBy(source: string): string[] {
  const found = new Set<string>();
  for (const match of source.matchAll(SPECIFIER)) {
    const name = packageOfSpecifier(match[2]!);
    if (name) found.add(name);
  }
  return [...found];
}

/** Every code file below `dir` (build output, data and installed packages left out). */
export function codeFilesUnder(dir: string, skip: (path: string) => boolean = () => false): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (NOT_SCANNED.has(entry) || isBuildOutput(entry) || skip(path)) continue;
    if (statSync(path).isDirectory()) files.push(...codeFilesUnder(path, skip));
    else if (CODE_FILES.has(extname(entry)) && !entry.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** The packages the code files below `dir` import, as a set. */
export function packagesImportedUnder(dir: string, skip?: (path: string) => boolean): Set<string> {
  const found = new Set<string>();
  for (const file of codeFilesUnder(dir, skip)) {
    for (const name of packagesImportedBy(readFileSync(file, 'utf8'))) found.add(name);
  }
  return found;
}

/** The plugins a serverless.yml loads (`plugins:` list): osls `require`s them, so they are imports too. */
export function pluginsOf(serverlessYml: string): string[] {
  const block = serverlessYml.match(/^plugins:\n((?:[ \t]+-[^\n]*\n?)+)/m)?.[1] ?? '';
  return [...block.matchAll(/^[ \t]+-\s*["']?([^"'\s#]+)/gm)].map((m) => m[1]!);
}

/** `@types/<name>`: where DefinitelyTyped keeps the declarations of a package (`@scope/pkg` → `@types/scope__pkg`). */
export function typesPackageOf(name: string): string {
  return `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;
}
