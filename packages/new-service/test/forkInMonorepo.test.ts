import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkServiceTemplate, formatViolations } from '@blueprints/build-checks';
import { ensurePackaged } from '@blueprints/packaging';
import { deployedNames, namesNotScopedTo, namesStillCarrying } from '../src/deployedNames.js';
import { newService } from '../src/newService.js';
import { copyRepo, forkName, run, services, summaryOf } from './helpers/forkWorkspace.js';

// Forks every service inside a copy of the monorepo, then runs each fork's own tests and packages it.
describe('Command: pnpm new-service <name> --from <service>', () => {
  let root: string;

  beforeAll(async () => {
    root = copyRepo();
    for (const service of services)
      newService({ repoRoot: root, name: forkName(service), from: service, install: false });
    const install = await run('pnpm', ['install', '--prefer-offline', '--no-frozen-lockfile'], root);
    if (install.code !== 0) throw new Error(`pnpm install failed in the fork workspace:\n${install.output}`);
  }, 600_000);

  afterAll(() => root && rmSync(root, { recursive: true, force: true }));

  describe.each(services)('from %s', (service) => {
    const name = forkName(service);
    const dir = (): string => join(root, 'services', name);

    it('passes the fork’s own tests', async () => {
      // Act
      const result = await run('node', ['scripts/test.mjs', '--selectProjects', name], root);

      // Assess
      const summary = summaryOf(result.output);
      if (result.code !== 0 || !summary || summary.failed > 0 || summary.passed === 0) {
        throw new Error(`tests of ${name} failed:\n${result.output.slice(-6000)}`);
      }
    }, 900_000);

    it('packages and passes the template check', async () => {
      await ensurePackaged(dir());
      expect(formatViolations(checkServiceTemplate(dir()))).toBe('');
    }, 300_000);

    it('claims no deploy-time name of the original, and scopes every name to itself', async () => {
      // Prepare
      await ensurePackaged(dir());

      // Act
      const names = deployedNames(dir());

      // Assess
      expect(names.find((n) => n.where === 'stack name')?.value).toBe(`${name}-dev`);
      expect(namesStillCarrying(names, service)).toEqual([]);
      expect(namesNotScopedTo(names, name)).toEqual([]);
    }, 300_000);
  });
});
