import { readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { copyRepo, repoRoot, run, services } from './helpers/forkWorkspace.js';

/** Every path and size below a folder, to prove a refused command wrote nothing. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const visit = (path: string): void => {
    for (const entry of readdirSync(path)) {
      if (entry === 'node_modules') continue;
      const full = join(path, entry);
      const stat = statSync(full);
      out.push(`${relative(dir, full)} ${stat.isDirectory() ? 'dir' : stat.size}`);
      if (stat.isDirectory()) visit(full);
    }
  };
  visit(dir);
  return out.sort();
}

describe('Command: pnpm new-service refusals', () => {
  let root: string;
  const cli = (args: string[]) =>
    run(
      join(repoRoot, 'node_modules', '.bin', 'tsx'),
      [join(root, 'packages', 'new-service', 'src', 'cli.ts'), ...args],
      root,
    );

  beforeAll(() => {
    root = copyRepo();
    // The command's own dependencies, as after `pnpm install` (this copy is never installed).
    symlinkSync(
      join(repoRoot, 'packages', 'new-service', 'node_modules'),
      join(root, 'packages', 'new-service', 'node_modules'),
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['a name that is not a valid service name', ['Bad_Name', '--from', services[0]!], 'is not a valid service name'],
    ['an existing folder', [services[1] ?? services[0]!, '--from', services[0]!], 'already exists'],
    ['an unknown template', ['good-name', '--from', 'no-such-service'], 'Unknown template "no-such-service"'],
    [
      'a standalone folder that is not empty',
      ['good-name', '--from', services[0]!, '--standalone', 'packages'],
      'already exists',
    ],
  ])('refuses %s with its message and leaves the tree unchanged', async (_case, args, message) => {
    // Prepare
    const before = snapshot(root);

    // Act
    const result = await cli(args as string[]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.output).toContain(message);
    expect(result.output).toContain('Nothing was written.');
    expect(snapshot(root)).toEqual(before);
  });
});
