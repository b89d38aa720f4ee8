/** What a standalone fork's README needs to know about the project it now describes. */
export interface StandaloneReadmeContext {
  /** The new service name (also the project's package name). */
  name: string;
  /** The blueprints service it was forked from. */
  from: string;
  /** The pnpm version to install (package.json `packageManager`). */
  pnpmVersion: string;
  /** Vendored workspace packages: folder under the monorepo's packages/ → folder under the fork's vendor/. */
  vendored: string[];
  /** Repository-relative files the README links to that travel with the fork (e.g. `docs/x.md`). */
  copiedDocs: string[];
}

// A monorepo-only passage in a service README: hidden on GitHub, dropped from a standalone fork.
const MONOREPO_ONLY = /<!-- monorepo-only -->[\s\S]*?<!-- \/monorepo-only -->/g;

/** The monorepo paths a service README may name, re-pointed at where the fork keeps them. */
function repointPaths(text: string, context: StandaloneReadmeContext): string {
  let out = text
    // `cd services/<name>`: the service folder is the project root now.
    .replace(/^[ \t]*cd services\/[\w-]+[ \t]*\n/gm, '')
    .replaceAll(`pnpm test --selectProjects ${context.name}`, 'pnpm test')
    .replaceAll(`pnpm --filter ${context.name} `, 'pnpm ')
    .replaceAll(`services/${context.name}/`, '');
  for (const doc of context.copiedDocs) out = out.replaceAll(`../../${doc}`, doc);
  for (const folder of context.vendored) {
    out = out
      .replaceAll(`../../packages/${folder}`, `vendor/${folder}`)
      .replaceAll(`packages/${folder}`, `vendor/${folder}`);
  }
  return out;
}

/** The paths a service README links with `../../<path>`, which a fork has to carry to keep its links. */
export function repositoryLinksOf(readme: string): string[] {
  return [...new Set([...readme.matchAll(/\]\(\.\.\/\.\.\/([^)#\s]+)/g)].map((m) => m[1]!))];
}

/**
 * Rewrites a (renamed) service README for a project of its own: a "This project" section with the
 * commands that work in it, monorepo-only passages dropped, paths into the monorepo re-pointed at
 * the fork's `vendor/` and `docs/`.
 *
 * @example
 * standaloneReadme('# shop-events\n\ncd services/shop-events\n', { name: 'shop-events', from: 'orders',
 *   pnpmVersion: '12.21.0', vendored: ['common'], copiedDocs: [] });
 */
export function standaloneReadme(readme: string, context: StandaloneReadmeContext): string {
  const [title, ...rest] = readme.split('\n');
  const body = repointPaths(rest.join('\n').replace(MONOREPO_ONLY, ''), context);
  const vendored = [...context.vendored].sort().join(', ');
  const intro = [
    '',
    `A project of its own, forked from the blueprints service \`${context.from}\`.`,
    '',
    '## This project',
    '',
    '```bash',
    `npm install -g pnpm@${context.pnpmVersion}   # the version pinned in package.json "packageManager"`,
    'pnpm install',
    'pnpm typecheck    # tsc, strict',
    'pnpm lint         # Biome lint and format check (pnpm format writes the fixes)',
    'pnpm test         # every test, ending with one line: N passed, N failed, N skipped',
    'pnpm package      # osls package, offline, no AWS credentials',
    'pnpm dev          # this service on local stand-ins with a live dashboard (pnpm dev --help)',
    '```',
    '',
    `The libraries it shares with its origin (${vendored}) are copied as TypeScript sources into \`vendor/\` and`,
    'linked from `package.json` (`link:./vendor/<folder>`): read and edit them in place, no build or publish step.',
    '`package.json` lists only the packages that code imports. The build settings are inlined in `serverless.yml`',
    'and `esbuild.config.cjs`.',
  ];
  return [title, ...intro, body.startsWith('\n') ? body : `\n${body}`].join('\n');
}
