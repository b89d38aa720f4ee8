import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listServices, NoServicesError, projectServices } from '../src/devServices.js';

describe('Function: listServices()', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'dev-root-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lists the folders of services/ that hold a serverless.yml, sorted', () => {
    // Prepare
    for (const name of ['orders', 'billing', 'notes']) mkdirSync(join(root, 'services', name), { recursive: true });
    writeFileSync(join(root, 'services', 'orders', 'serverless.yml'), 'service: orders\n');
    writeFileSync(join(root, 'services', 'billing', 'serverless.yml'), 'service: billing\n');

    // Act
    const services = listServices(root);

    // Assess
    expect(services).toEqual(['billing', 'orders']);
  });

  it('answers the root itself, named by its folder, when the root holds a serverless.yml (a standalone fork)', () => {
    // Prepare
    const fork = join(root, 'shop-events');
    mkdirSync(fork);
    writeFileSync(join(fork, 'serverless.yml'), 'service: shop-events\n');

    // Act
    const services = listServices(fork);

    // Assess
    expect(services).toEqual(['shop-events']);
  });
});

describe('Function: projectServices()', () => {
  it('refuses a root with no service, naming it (startDevEnvironment calls it before anything starts)', () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'dev-empty-'));

    // Act
    const list = () => projectServices(root);

    // Assess
    expect(list).toThrow(NoServicesError);
    expect(list).toThrow(`No service in ${root}`);
    rmSync(root, { recursive: true, force: true });
  });
});
