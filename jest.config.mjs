// Every workspace package and service with its own jest.config.mjs is one jest project.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const projects = ['packages', 'services'].flatMap((group) =>
  readdirSync(join(root, group))
    .map((name) => join(root, group, name, 'jest.config.mjs'))
    .filter((file) => existsSync(file)),
);

// Most suites wait on servers and child processes rather than the CPU: two workers on two cores.
// testTimeout is a global option: jest ignores it in a project's config when it runs several projects,
// so the preset's value is repeated here (a ceiling, not a speed bar).
export default { projects, maxWorkers: 2, testTimeout: 30000 };
