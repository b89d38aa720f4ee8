'use strict';

// osls plugin: makes `osls invoke local` work offline, fast, for the CommonJS (.cjs) bundles.
//
// - No credential hang: the default AWS credential chain probes the EC2 instance metadata
//   endpoint when nothing else is configured, which blocks for a long time off EC2. IMDS probing is
//   disabled for the local invocation unless AWS_EC2_METADATA_DISABLED is set explicitly. When no
//   credentials are found, placeholder keys are set so SDK calls aimed at local stand-ins
//   (AWS_ENDPOINT_URL_<SERVICE>) work and calls to real AWS fail fast with an auth error.
// - `.cjs` bundles: osls `require()`s the handler path without an extension, which only tries `.js`;
//   the handler is pointed at the `.cjs` file esbuild.config.cjs writes.
// - Stack traces: every bundle maps its own frames to the `.ts` file, line and function name (its
//   stack-trace hook, see esbuild.config.cjs), so Node's source-map support stays off: with it on,
//   Node would also read each bundle's map at load for nothing.
// - Credentials: `invoke local` builds keep the SDK's full default chain (profiles, SSO), unlike
//   deploy builds, which read the environment only (esbuild.config.cjs decides by the command).
// - Environment values only CloudFormation can compute (Fn::GetAtt, Fn::Sub, ...) are taken from
//   the shell environment, then from the table `pnpm dev` uses too (@blueprints/packaging
//   `localEnvironment`: the service's `.env.<stage>` or `.env` when serverless.yml sets
//   `useDotenv: true`, over `custom.local.environment`), instead of failing with "Unsupported
//   environment variable format". @blueprints/packaging is TypeScript: tsx loads it for this process
//   only (`tsImport`, no global hook, so the handler's own loading is untouched).

const PLACEHOLDER_KEY = 'local';

function isIntrinsic(value) {
  return value !== null && typeof value === 'object';
}

/** @blueprints/packaging, the one model of a service's local settings, loaded once. */
let packaging;
function loadPackaging() {
  // tsx's ESM entry: its CommonJS one registers a loader path that does not exist (tsx 4.23).
  packaging ??= import('tsx/esm/api').then(({ tsImport }) => tsImport('@blueprints/packaging', __filename));
  return packaging;
}

class BlueprintsLocalInvoke {
  constructor(serverless, options, { log } = {}) {
    this.serverless = serverless;
    this.options = options;
    this.log = log;
    this.hooks = {
      // osls loads the environment in its own before:invoke:local:loadEnvVars hook, which runs
      // before any plugin's; `initialize` is the last point ahead of it.
      initialize: async () => {
        const commands = serverless.processedInput?.commands || [];
        if (commands.join(' ') === 'invoke local') await this.prepareEnvironment();
      },
      'after:invoke:local:loadEnvVars': () => this.ensureCredentials(),
      'before:invoke:local:invoke': () => this.pointAtBundle(),
      'after:invoke:local:invoke': () => this.exitWhenDone(),
    };
  }

  async localEnvironment() {
    const { localEnvironment } = await loadPackaging();
    const { serverless } = this;
    // With useDotenv, osls has already put the dotenv values in process.env, so the shell check below sees
    // them first; the table is the one `pnpm dev` reads, so both runs give a function the same values.
    return localEnvironment(serverless.serviceDir, this.options.stage || serverless.service.provider.stage || 'dev', {
      useDotenv: serverless.configurationInput?.useDotenv,
      custom: serverless.service.custom,
    });
  }

  async prepareEnvironment() {
    if (process.env.AWS_EC2_METADATA_DISABLED === undefined) process.env.AWS_EC2_METADATA_DISABLED = 'true';
    const fn = this.options.function && this.serverless.service.getFunction(this.options.function);
    // Read only when a variable needs it: loading the TypeScript package costs a few hundred milliseconds.
    let local;
    const provider = this.serverless.service.provider;
    for (const scope of [provider.environment, fn?.environment]) {
      if (!scope) continue;
      for (const [name, value] of Object.entries(scope)) {
        if (!isIntrinsic(value)) continue;
        if (process.env[name] !== undefined) {
          scope[name] = process.env[name];
          continue;
        }
        local ??= await this.localEnvironment();
        if (local[name] !== undefined) scope[name] = local[name];
        else if (!value.Ref && !value['Fn::ImportValue']) {
          const ErrorClass = this.serverless.classes.Error || Error;
          const message =
            `Environment variable ${name} is computed by CloudFormation (${Object.keys(value)[0]}), ` +
            `so it has no value for invoke local: set it in the shell (${name}=... osls invoke local ...), ` +
            'in .env (with useDotenv: true in serverless.yml) or under custom.local.environment in serverless.yml.';
          throw new ErrorClass(message);
        }
      }
    }
  }

  ensureCredentials() {
    if (!process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
      process.env.AWS_ACCESS_KEY_ID = PLACEHOLDER_KEY;
      process.env.AWS_SECRET_ACCESS_KEY = PLACEHOLDER_KEY;
    }
  }

  // A handler that keeps a connection open across invocations (a database client at module scope)
  // would keep `invoke local` running forever after printing its result; Lambda freezes the
  // process instead. Exit shortly after the result unless the process ends on its own first.
  exitWhenDone() {
    setTimeout(() => process.exit(process.exitCode || 0), 1000).unref();
  }

  pointAtBundle() {
    const fn = this.options.functionObj;
    if (fn && typeof fn.handler === 'string' && !/\.cjs\.[^.]+$/.test(fn.handler)) {
      const i = fn.handler.lastIndexOf('.');
      fn.handler = `${fn.handler.slice(0, i)}.cjs${fn.handler.slice(i)}`;
    }
  }
}

module.exports = BlueprintsLocalInvoke;
