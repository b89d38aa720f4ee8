/**
 * Shared packages know nothing about the services: a service declares what it needs locally in its
 * own folder (local.ts), so no file under packages/ may name one. The names are read from services/,
 * so a new service is covered without editing this test.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
/** Dependencies, reports and build output: not written by hand. */
const SKIPPED = new Set([
  'node_modules',
  'test-results',
  '.build',
  '.serverless',
  '.esbuild',
  'dist',
  '.local',
  'coverage',
]);
const TEXT = /\.(ts|mts|cts|js|mjs|cjs|json|md|html|css|ya?ml|txt|sh)$/;

function serviceNames(): string[] {
  const dir = join(REPO_ROOT, 'services');
  return readdirSync(dir).filter((name) => existsSync(join(dir, name, 'serverless.yml')));
}

/** `orders-api` as written in kebab, camel, Pascal, snake and constant case. */
export function spellings(name: string): string[] {
  const words = name.split('-');
  const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  const camel = words[0] + words.slice(1).map(capital).join('');
  const snake = words.join('_');
  return [...new Set([name, camel, words.map(capital).join(''), snake, snake.toUpperCase()])];
}

function textFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (SKIPPED.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...textFiles(path));
    else if (TEXT.test(entry)) files.push(path);
  }
  return files;
}

describe('Files under packages/', () => {
  it('name no service, in any spelling', () => {
    // Prepare
    const names = serviceNames().flatMap(spellings);
    const pattern = new RegExp(names.map((n) => n.replace(/[-_]/g, '[-_]')).join('|'));

    // Act
    const mentions = textFiles(join(REPO_ROOT, 'packages')).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${relative(REPO_ROOT, file)}:${i + 1}` }))
        .filter(({ line }) => pattern.test(line))
        .map(({ line, at }) => `${at}: ${line.trim()}`),
    );

    // Assess
    expect(names.length).toBeGreaterThan(0);
    expect(mentions).toEqual([]);
  });

  it('are searched for every spelling of a name', () => {
    // Act
    const forms = spellings('orders-api-v2');

    // Assess
    expect(forms).toEqual(['orders-api-v2', 'ordersApiV2', 'OrdersApiV2', 'orders_api_v2', 'ORDERS_API_V2']);
  });
});
