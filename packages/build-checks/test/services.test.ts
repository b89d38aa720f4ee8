import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePackaged, packagedFileNames, readPackagedFile, withPackagedFile } from '@blueprints/packaging';
import {
  checkServiceTemplate,
  formatViolations,
  isVendorSource,
  type SourceMap,
  sourceMapCoverage,
} from '../src/index.js';

const servicesDir = join(import.meta.dirname, '..', '..', '..', 'services');
const services = readdirSync(servicesDir).filter((name) => existsSync(join(servicesDir, name, 'serverless.yml')));

function unzipText(zip: string, entry: string): string {
  return execFileSync('unzip', ['-p', zip, entry], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

describe.each(services)('Service: %s', (name) => {
  const dir = join(servicesDir, name);

  beforeAll(() => ensurePackaged(dir), 300_000);

  it('passes the template check (CloudFormation specification, least privilege, failure paths, entry points)', () => {
    // Act
    const violations = formatViolations(checkServiceTemplate(dir)).split('\n').filter(Boolean);

    // Assess: one line per violation, `Resource Path [rule] message`, under the service's name
    expect({ service: name, violations }).toEqual({ service: name, violations: [] });
  });

  it('packages every function as a CommonJS bundle whose map trims vendor code', () => {
    // Prepare: the default package wherever it is (a test may be packaging a second stage meanwhile)
    const template = JSON.parse(readPackagedFile(dir, undefined, 'cloudformation-template-update-stack.json'));
    const functions = Object.values(
      template.Resources as Record<string, { Type: string; Properties: { Handler: string } }>,
    )
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => r.Properties.Handler);
    const zips = packagedFileNames(dir).filter((f) => f.endsWith('.zip'));
    const inZip = <T>(zip: string, use: (path: string) => T) => withPackagedFile(dir, undefined, zip, use);

    // Act / Assess
    expect(zips.length).toBeGreaterThanOrEqual(functions.length);
    for (const handler of functions) {
      const bundle = `${handler.slice(0, handler.lastIndexOf('.'))}.cjs`;
      const zip = zips.find((z) =>
        inZip(z, (path) => execFileSync('unzip', ['-l', path], { encoding: 'utf8' })).includes(bundle),
      );
      expect(zip).toBeDefined();
      const map = JSON.parse(inZip(zip!, (path) => unzipText(path, `${bundle}.map`))) as SourceMap;
      expect(map.sourcesContent).toBeUndefined();
      const coverage = [...sourceMapCoverage(map)];
      const own = coverage.filter(([s]) => !isVendorSource(s)).reduce((sum, [, c]) => sum + c.lines, 0);
      expect(own).toBeGreaterThan(0);
      for (const [source, { lines }] of coverage.filter(([s]) => isVendorSource(s))) {
        if (lines > 1) throw new Error(`${bundle}.map maps ${lines} lines of vendor code in ${source}`);
      }
    }
  });
});
