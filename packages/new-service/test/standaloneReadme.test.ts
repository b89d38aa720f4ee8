import { repositoryLinksOf, standaloneReadme } from '../src/standaloneReadme.js';

const context = {
  name: 'shop-events',
  from: 'orders',
  pnpmVersion: '12.21.0',
  vendored: ['common', 'dev'],
  copiedDocs: ['docs/choices.md'],
};

describe('Function: standaloneReadme()', () => {
  it('drops monorepo-only commands and passages and re-points paths into the project', () => {
    // Prepare
    const readme = [
      '# shop-events',
      '',
      'Costs: [choices](../../docs/choices.md). The envelope is in `packages/common/src/events`.',
      '',
      '```bash',
      'cd services/shop-events',
      'pnpm --filter shop-events db -- "SELECT 1"',
      'pnpm test --selectProjects shop-events',
      '```',
      '',
      'Prices: services/shop-events/src/pricing.json.<!-- monorepo-only --> From the repository root: `pnpm x`.<!-- /monorepo-only -->',
    ].join('\n');

    // Act
    const rewritten = standaloneReadme(readme, context);

    // Assess
    expect(
      rewritten.startsWith('# shop-events\n\nA project of its own, forked from the blueprints service `orders`.'),
    ).toBe(true);
    expect(rewritten).toContain('## This project');
    expect(rewritten).toContain('pnpm dev ');
    expect(rewritten).toContain('Costs: [choices](docs/choices.md). The envelope is in `vendor/common/src/events`.');
    expect(rewritten).toContain('```bash\npnpm db -- "SELECT 1"\npnpm test\n```');
    expect(rewritten.trimEnd().endsWith('Prices: src/pricing.json.')).toBe(true);
    expect(rewritten).not.toMatch(/services\/|packages\/|\.\.\/\.\.\/|repository root|monorepo/);
  });
});

describe('Function: repositoryLinksOf()', () => {
  it('lists the repository files a service README links, once each', () => {
    // Act
    const links = repositoryLinksOf('[a](../../docs/a.md) [b](../../docs/a.md#x) [c](./c.md) [d](https://x.y/)');

    // Assess
    expect(links).toEqual(['docs/a.md']);
  });
});
