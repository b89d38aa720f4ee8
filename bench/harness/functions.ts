import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensurePackaged,
  functionEnvironment,
  functionLogicalId,
  loadPackagedTemplate,
  readPackagedServiceState,
  TemplateResolver,
} from '@blueprints/packaging';

/** One Lambda function of a service, as the benchmarks build and load it. */
export interface BenchFunction {
  service: string;
  serviceDir: string;
  name: string;
  /** `src/handlers/presign.handler` */
  handler: string;
  /** `src/handlers/presign.ts`, relative to the service folder. */
  entry: string;
  exportName: string;
  /** The function's environment as deployed, with CloudFormation-computed values made local. */
  environment: Record<string, string>;
  /** `custom.bundle` of the service's serverless.yml (what esbuild.config.cjs reads). */
  bundleSettings: Record<string, unknown>;
}

export interface ServiceInventory {
  functions: BenchFunction[];
  /** Services that could not be read, with the reason. */
  unavailable: Array<{ service: string; reason: string }>;
}

const HANDLER_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n').filter((l) => l.trim() !== '');
  const reason = lines.find((l) => /error|not|cannot|failed/i.test(l)) ?? lines[0] ?? 'unknown error';
  return reason.trim().slice(0, 300);
}

function benchEnvironment(
  resolver: TemplateResolver,
  functionName: string,
  local: Record<string, string>,
): Record<string, string> {
  const logicalId = functionLogicalId(resolver, functionName);
  // A value neither the template nor custom.local.environment gives still lets the module load.
  const environment =
    logicalId === undefined
      ? {}
      : functionEnvironment(resolver, logicalId, local, (name) => `bench-placeholder-${name.toLowerCase()}`);
  // The benchmarks choose the Node flags themselves (the deployed NODE_OPTIONS is --enable-source-maps).
  delete environment.NODE_OPTIONS;
  return environment;
}

/**
 * Every function of every service with a serverless.yml, read from `osls package` output (packaging
 * the service first when its template is missing or stale). A service that fails to package is listed
 * as unavailable with the reason, so the other services are still measured.
 */
export async function readInventory(repoRoot: string, log: (message: string) => void): Promise<ServiceInventory> {
  const servicesDir = join(repoRoot, 'services');
  const inventory: ServiceInventory = { functions: [], unavailable: [] };
  for (const service of readdirSync(servicesDir).sort()) {
    const serviceDir = join(servicesDir, service);
    if (!existsSync(join(serviceDir, 'serverless.yml'))) {
      if (existsSync(join(serviceDir, 'package.json'))) {
        inventory.unavailable.push({ service, reason: 'no serverless.yml yet' });
      }
      continue;
    }
    try {
      log(`  packaging ${service} if its template is stale (osls package)...`);
      await ensurePackaged(serviceDir);
      const state = readPackagedServiceState(serviceDir);
      const resolver = new TemplateResolver(loadPackagedTemplate(serviceDir), {
        stackName: `${service}-dev`,
        region: 'us-east-1',
        accountId: '000000000000',
      });
      for (const { key: name, ...fn } of state.functions) {
        const dot = fn.handler.lastIndexOf('.');
        const base = fn.handler.slice(0, dot);
        const extension = HANDLER_EXTENSIONS.find((ext) => existsSync(join(serviceDir, base + ext)));
        if (!extension) {
          inventory.unavailable.push({ service: `${service}/${name}`, reason: `no source file for ${fn.handler}` });
          continue;
        }
        inventory.functions.push({
          service,
          serviceDir,
          name,
          handler: fn.handler,
          entry: base + extension,
          exportName: fn.handler.slice(dot + 1),
          environment: benchEnvironment(resolver, fn.name, state.localEnvironment),
          bundleSettings: (state.custom.bundle ?? {}) as Record<string, unknown>,
        });
      }
    } catch (error) {
      inventory.unavailable.push({ service, reason: `osls package failed: ${firstLine(error)}` });
    }
  }
  return inventory;
}
