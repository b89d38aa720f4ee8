import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkServiceTemplate, formatViolations } from '@blueprints/build-checks';
import { ensurePackaged } from '@blueprints/packaging';
import { deployedNames, namesNotScopedTo, namesStillCarrying } from '../src/deployedNames.js';
import { newService } from '../src/newService.js';
import { forkName, repoRoot, run, services, summaryOf, tempFolder } from './helpers/forkWorkspace.js';

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

    it('is self-contained: no workspace: ranges, no path out of the project', () => {
      const manifest = readFileSync(join(dir, 'package.json'), 'utf8');
      expect(manifest).not.toContain('workspace:');
      expect(readFileSync(join(dir, 'serverless.yml'), 'utf8')).not.toContain('../../');
      expect(existsSync(join(dir, 'vendor', 'common', 'src', 'index.ts'))).toBe(true);
    });

    it('passes its own tests', async () => {
      const result = await run('pnpm', ['test'], dir);
      const summary = summaryOf(result.output);
      if (result.code !== 0 || !summary || summary.failed > 0 || summary.passed === 0) {
        throw new Error(`tests of standalone ${name} failed:\n${result.output.slice(-6000)}`);
      }
    }, 900_000);

    it('packages on its own, passes the template check and claims no name of the original', async () => {
      // Act
      await ensurePackaged(dir);

      // Assess
      expect(formatViolations(checkServiceTemplate(dir))).toBe('');
      const names = deployedNames(dir);
      expect(namesStillCarrying(names, service)).toEqual([]);
      expect(namesNotScopedTo(names, name)).toEqual([]);
    }, 300_000);
  });
});
