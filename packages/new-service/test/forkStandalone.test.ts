import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkReadme, checkServiceTemplate, formatViolations } from '@blueprints/build-checks';
import { deployedNames, namesNotScopedTo, namesStillCarrying } from '../src/deployedNames.js';
import { newService } from '../src/newService.js';
import { forkName, repoRoot, run, runUntil, services, summaryOf, tempFolder } from './helpers/forkWorkspace.js';

/** What a project of its own must not mention: paths and commands that only work inside the blueprints repo. */
const MONOREPO_ONLY = /services\/|packages\/|\.\.\/\.\.\/|--selectProjects|--filter|repo(?:sitory)? root|monorepo/;

// One fork per service, each driven through the five commands its README promises. The installs come from the
// registry through pnpm's store (shared by every fork and the repo, so repeated installs are links, not downloads).
describe('Command: pnpm new-service <name> --from <service> --standalone <dir>', () => {
  describe.each(services)('from %s', (service) => {
    const name = forkName(service);
    let dir: string;

    beforeAll(async () => {
      dir = join(tempFolder('blueprints-standalone-'), name);
      newService({ repoRoot, name, from: service, standalone: dir, install: false });
      const install = await run('pnpm', ['install', '--prefer-offline', '--no-frozen-lockfile'], dir);
      if (install.code !== 0) throw new Error(`pnpm install failed in ${dir}:\n${install.output}`);
    }, 600_000);

    afterAll(() => rmSync(dirname(dir), { recursive: true, force: true }));

    it('is self-contained: no workspace ranges, no path out of the project, its README names only what it has', () => {
      // Act
      const readme = readFileSync(join(dir, 'README.md'), 'utf8');
      const problems = checkReadme(join(dir, 'README.md'), { root: dir, packages: new Map() });

      // Assess
      expect(readFileSync(join(dir, 'package.json'), 'utf8')).not.toContain('workspace:');
      expect(readFileSync(join(dir, 'serverless.yml'), 'utf8')).not.toContain('../../');
      expect(existsSync(join(dir, 'vendor', 'common', 'src', 'index.ts'))).toBe(true);
      expect(readme.split('\n').filter((line) => MONOREPO_ONLY.test(line))).toEqual([]);
      expect(problems).toEqual([]);
    });

    it('passes pnpm typecheck, pnpm lint and pnpm test, then packages and starts pnpm dev', async () => {
      // Act
      const typecheck = await run('pnpm', ['typecheck'], dir);
      const lint = await run('pnpm', ['lint'], dir);
      const test = await run('pnpm', ['test'], dir);
      const packaged = await run('pnpm', ['package'], dir);
      // --any-ports: other `pnpm dev`s may hold the fixed ports on a shared machine; --no-watch: no background builds.
      const dev = await runUntil(
        'pnpm',
        ['dev', '--any-ports', '--no-watch', '--ready-json'],
        dir,
        /^DEV_READY (.*)$/m,
        300_000,
      );

      // Assess
      expect({ command: 'typecheck', code: typecheck.code, output: typecheck.output.slice(-3000) }).toMatchObject({
        code: 0,
      });
      expect({ command: 'lint', code: lint.code, output: lint.output.slice(-3000) }).toMatchObject({ code: 0 });
      const summary = summaryOf(test.output);
      if (test.code !== 0 || !summary || summary.failed > 0 || summary.passed === 0) {
        throw new Error(`pnpm test of standalone ${name} failed:\n${test.output.slice(-6000)}`);
      }
      expect({ command: 'package', code: packaged.code, output: packaged.output.slice(-3000) }).toMatchObject({
        code: 0,
      });
      expect(formatViolations(checkServiceTemplate(dir))).toBe('');
      const names = deployedNames(dir);
      expect(namesStillCarrying(names, service)).toEqual([]);
      expect(namesNotScopedTo(names, name)).toEqual([]);
      const ready = JSON.parse(dev.match?.[1] ?? 'null') as { services?: Array<{ name: string }> } | null;
      expect({ output: dev.output.slice(-3000), services: ready?.services?.map((s) => s.name) }).toMatchObject({
        services: [name],
      });
      expect(dev.exitCode).toBe(0);
    }, 1_800_000);
  });
});
