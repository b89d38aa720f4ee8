import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KEPT_DEFAULT_PACKAGE,
  loadPackagedTemplate,
  packagedFileNames,
  packagedFilePath,
  readPackagedServiceState,
  withPackagedFile,
} from '../src/index.js';

/** A service folder whose default package (`folder`) holds a state and a template naming `marker`. */
function packagedService(folder: string, marker: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'package-folder-'));
  mkdirSync(join(dir, folder));
  writeFileSync(
    join(dir, folder, 'serverless-state.json'),
    JSON.stringify({ service: { service: marker, provider: { stage: 'dev' }, functions: { fn: { handler: 'h.h' } } } }),
  );
  writeFileSync(
    join(dir, folder, 'cloudformation-template-update-stack.json'),
    JSON.stringify({ Resources: { [marker]: { Type: 'AWS::SQS::Queue' } } }),
  );
  return dir;
}

describe('Reading the default package while another stage is packaged', () => {
  let dir: string;

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the default package where ensurePackaged set it aside, not in osls’s emptied work folder', () => {
    // Prepare: the package set aside, `.serverless` emptied by osls for the other stage.
    dir = packagedService(KEPT_DEFAULT_PACKAGE, 'kept');
    mkdirSync(join(dir, '.serverless'));

    // Act
    const state = readPackagedServiceState(dir);
    const template = loadPackagedTemplate(dir);

    // Assess
    expect(state.service).toBe('kept');
    expect(Object.keys(template.Resources ?? {})).toEqual(['kept']);
    expect(packagedFilePath(dir, undefined, 'fn.zip')).toBe(join(dir, '.serverless', 'fn.zip'));
    expect(packagedFilePath(dir, 'qa', 'fn.zip')).toBe(join(dir, '.serverless-qa', 'fn.zip'));
  });

  it('never fails a read or a listing while another process moves the package aside and back', async () => {
    // Prepare: a process that sets the package aside and restores it, as fast as it can, until told to stop.
    dir = packagedService('.serverless', 'moving');
    const mover = spawn(
      process.execPath,
      [
        '-e',
        `const { renameSync, mkdirSync, rmSync } = require('node:fs');
         const [live, kept] = process.argv.slice(1);
         let stop = false;
         process.on('message', () => { stop = true; });
         console.log('moving');
         (function loop() {
           for (let i = 0; i < 200 && !stop; i++) {
             renameSync(live, kept); mkdirSync(live); rmSync(live, { recursive: true }); renameSync(kept, live);
           }
           if (stop) process.exit(0); else setImmediate(loop);
         })();`,
        join(dir, '.serverless'),
        join(dir, KEPT_DEFAULT_PACKAGE),
      ],
      { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
    );
    await new Promise<void>((resolve) => mover.stdout?.once('data', () => resolve()));
    const failures: string[] = [];

    // Act
    for (let i = 0; i < 3000; i++) {
      try {
        if (readPackagedServiceState(dir).service !== 'moving') failures.push('wrong state');
        loadPackagedTemplate(dir);
        if (!packagedFileNames(dir).includes('cloudformation-template-update-stack.json'))
          failures.push('wrong listing');
        withPackagedFile(dir, undefined, 'serverless-state.json', (path) => readFileSync(path));
      } catch (error) {
        failures.push(String(error));
      }
    }
    const exited = new Promise((resolve) => mover.once('exit', resolve));
    mover.send('stop');
    await exited;

    // Assess
    expect(failures).toEqual([]);
  }, 60_000);
});
