import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DashboardServer, startDashboard } from '../../src/dashboardServer.js';
import { type DevEnvironment, type DevService, startDevEnvironment } from '../../src/devEnvironment.js';
import { DEFAULT_DEV_PORTS, type DevPorts } from '../../src/ports.js';

export interface FixtureDashboard {
  /** The temporary project folder (no service of its own under `services/`). */
  root: string;
  /** The dev environment as the dashboard sees it: the stand-ins plus the fixture services. */
  dev: DevEnvironment;
  dashboard: DashboardServer;
  close(): Promise<void>;
}

/**
 * A real dev environment on free ports for an empty project (the stand-ins start in seconds), and the
 * dashboard serving it with `fixtures(dev, root)` as its services.
 */
export async function startFixtureDashboard(
  fixtures: (dev: DevEnvironment, root: string) => DevService[],
): Promise<FixtureDashboard> {
  const root = mkdtempSync(join(tmpdir(), 'blueprints-dashboard-'));
  mkdirSync(join(root, 'services'));
  const ports = Object.fromEntries(Object.keys(DEFAULT_DEV_PORTS).map((k) => [k, 0])) as unknown as DevPorts;
  const stack = await startDevEnvironment({ rootDir: root, dataDir: join(root, '.local'), ports });
  const services = fixtures(stack, root);
  const dev: DevEnvironment = { ...stack, services, service: (name) => services.find((s) => s.name === name) };
  const dashboard = await startDashboard(dev, 0);
  return {
    root,
    dev,
    dashboard,
    close: async () => {
      await dashboard.close();
      await stack.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
