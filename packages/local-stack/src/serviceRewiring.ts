import { resourcesOfType, type TemplateResolver } from '@blueprints/packaging';
import { closeBounded, type StandIns } from './standIns.js';

/** How long one piece of an old wiring (a queue poller, a pipe, an HTTP API) may take to stop on a rewire. */
const UNWIRE_CEILING_MS = 10_000;

type Closer = () => Promise<unknown> | unknown;

/** A function's hot-reload build: where its newest bundle is (see `FunctionBundles` in @blueprints/packaging). */
export interface RebuiltBundle {
  /** The function's name (`<service>-<stage>-<key>`). */
  name: string;
  /** The folder holding the bundle at the handler's path. */
  folder: string;
}

/** `rewireService` or `reloadFunctions` named a service the stack does not run. */
export class UnknownLocalServiceError extends Error {
  constructor(readonly service: string) {
    super(`No running service "${service}"`);
    this.name = 'UnknownLocalServiceError';
  }
}

/**
 * What each service's wiring started, kept apart so that one service can be stopped and wired again
 * while the others run (hot reload after a serverless.yml edit), and the bundles its functions were
 * rebuilt into since the package. The stack still stops everything on close.
 */
export class ServiceRewiring {
  private readonly wiring = new Map<string, Set<Closer>>();
  private readonly builds = new Map<string, Map<string, string>>();

  constructor(private readonly stack: StandIns) {}

  /** The stand-ins as `wireService` sees them: what it registers to close is remembered per service too. */
  scopedTo(service: string): StandIns {
    const current = new Set<Closer>();
    this.wiring.set(service, current);
    return {
      ...this.stack,
      onClose: (closeOne) => {
        current.add(closeOne);
        // Still bounded by the stack's close; skipped when a rewire stopped it already.
        this.stack.onClose(() => (current.delete(closeOne) ? closeOne() : undefined));
      },
    };
  }

  /** The folder of a function's newest rebuilt bundle, when it was rebuilt since the package. */
  rebuiltBundle(service: string, functionName: string): string | undefined {
    return this.builds.get(service)?.get(functionName);
  }

  /** Records rebuilt bundles; answers their function names. */
  recordBuilds(service: string, rebuilt: RebuiltBundle[]): string[] {
    const builds = this.builds.get(service) ?? new Map<string, string>();
    this.builds.set(service, builds);
    for (const fn of rebuilt) builds.set(fn.name, fn.folder);
    return rebuilt.map((fn) => fn.name);
  }

  /** A repackaged service loads its functions from the new package again. */
  forgetBuilds(service: string): void {
    this.builds.delete(service);
  }

  /** Provisions a running service's new template; its secrets, created at start, keep their local ARNs and values. */
  async reprovision(previous: TemplateResolver, next: TemplateResolver): Promise<void> {
    try {
      await this.stack.provision(next);
    } catch (error) {
      if ((error as Error).name !== 'ResourceExistsException') throw error;
      for (const [logicalId] of resourcesOfType(previous.template, 'AWS::SecretsManager::Secret', previous.stack)) {
        for (const attribute of ['Ref', 'Id']) {
          const arn = previous.overrides.get(`${logicalId}.${attribute}`);
          if (arn !== undefined) next.overrides.set(`${logicalId}.${attribute}`, arn);
        }
      }
    }
  }

  /** Stops what the service's current wiring started, newest first, each within a ceiling. */
  async unwire(service: string): Promise<void> {
    const current = [...(this.wiring.get(service) ?? [])].reverse();
    this.wiring.get(service)?.clear();
    for (const closeOne of current) await closeBounded(closeOne, UNWIRE_CEILING_MS);
  }
}
