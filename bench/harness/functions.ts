import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePackaged } from '../../packages/offline/src/cloudformation/ensurePackaged.js';
import { loadPackagedTemplate, TemplateResolver } from '../../packages/offline/src/cloudformation/template.js';

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

interface ServerlessState {
  service: {
    custom?: { bundle?: Record<string, unknown>; local?: { environment?: Record<string, unknown> } };
    functions?: Record<string, { handler: string; name: string }>;
  };
}

const HANDLER_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n').filter((l) => l.trim() !== '');
  const reason = lines.find((l) => /error|not|cannot|failed/i.test(l)) ?? lines[0] ?? 'unknown error';
  return reason.trim().slice(0, 300);
}

function functionEnvironment(
  resolver: TemplateResolver,
  functionName: string,
  local: Record<string, unknown>,
): Record<string, string> {
  const resource = Object.entries(resolver.template.Resources).find(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties?.FunctionName === functionName,
  );
  const variables = ((resource?.[1].Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
    ?.Variables ?? {}) as Record<string, unknown>;
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      environment[name] = String(value);
    } else if (local[name] !== undefined) {
      environment[name] = String(local[name]);
    } else {
      try {
        environment[name] = String(resolver.resolve(value, `${functionName}.Environment.${name}`));
      } catch {
        environment[name] = `bench-placeholder-${name.toLowerCase()}`;
      }
    }
  }
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
      const state = JSON.parse(
        readFileSync(join(serviceDir, '.serverless', 'serverless-state.json'), 'utf8'),
      ) as ServerlessState;
      const resolver = new TemplateResolver(loadPackagedTemplate(serviceDir), {
        stackName: `${service}-dev`,
        region: 'us-east-1',
        accountId: '000000000000',
      });
      const local = state.service.custom?.local?.environment ?? {};
      for (const [name, fn] of Object.entries(state.service.functions ?? {})) {
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
          environment: functionEnvironment(resolver, fn.name, local),
          bundleSettings: state.service.custom?.bundle ?? {},
        });
      }
    } catch (error) {
      inventory.unavailable.push({ service, reason: `osls package failed: ${firstLine(error)}` });
    }
  }
  return inventory;
}
