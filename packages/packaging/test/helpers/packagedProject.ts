import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..', '..');

/** A project with one service, as `osls package` left it (its serverless-state.json), and a shared package. */
export interface PackagedProject {
  root: string;
  serviceDir: string;
  /** Absolute path of a file of the project. */
  path(relative: string): string;
  write(relative: string, text: string): void;
}

/**
 * A project root in a temporary folder: the repo's esbuild.config.cjs and installed packages (linked),
 * a workspace package `packages/shared`, and service `hello` with two functions: `hello` (reads
 * `src/greeting/message.ts` and the shared package) and `bye` (reads neither). Its
 * serverless-state.json holds what `osls package` records about the functions and the esbuild
 * settings, so no packaging is needed.
 */
export function packagedProject(): PackagedProject {
  const root = mkdtempSync(join(tmpdir(), 'blueprints-packaged-'));
  const path = (relative: string) => join(root, relative);
  const write = (relative: string, text: string) => {
    mkdirSync(dirname(path(relative)), { recursive: true });
    writeFileSync(path(relative), text);
  };
  symlinkSync(join(REPO_ROOT, 'node_modules'), path('node_modules'));
  cpSync(join(REPO_ROOT, 'esbuild.config.cjs'), path('esbuild.config.cjs'));
  write('package.json', '{ "name": "fixture", "private": true }\n');
  write('shared.yml', 'memorySize: 256\n');
  write('packages/shared/package.json', '{ "name": "@fixture/shared", "private": true }\n');
  write('packages/shared/src/punctuation.ts', "export const punctuation = '!';\n");
  write(
    'services/hello/serverless.yml',
    'service: hello\nprovider:\n  name: aws\n  memorySize: ${file(../../shared.yml):memorySize}\n',
  );
  write('services/hello/src/greeting/message.ts', 'export const message = (name: string) => `hello ${name}`;\n');
  write(
    'services/hello/src/handlers/hello.ts',
    [
      "import { punctuation } from '../../../../packages/shared/src/punctuation.js';",
      "import { message } from '../greeting/message.js';",
      '',
      'export const handler = async (event: { name: string; fail?: boolean }) => {',
      "  if (event.fail) throw new Error('failed on purpose');",
      '  return message(event.name) + punctuation;',
      '};',
      '',
    ].join('\n'),
  );
  write('services/hello/src/handlers/bye.ts', "export const handler = async () => 'bye';\n");
  write(
    'services/hello/.serverless/serverless-state.json',
    JSON.stringify({
      service: {
        service: 'hello',
        provider: { stage: 'dev' },
        functions: {
          hello: { name: 'hello-dev-hello', handler: 'src/handlers/hello.handler' },
          bye: { name: 'hello-dev-bye', handler: 'src/handlers/bye.handler' },
        },
        custom: { esbuild: { config: '../../esbuild.config.cjs' } },
      },
    }),
  );
  return { root, serviceDir: path('services/hello'), path, write };
}
