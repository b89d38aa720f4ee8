'use strict';

class BlueprintsLocalInvoke {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    this.hooks = {
      'before:invoke:local:loadEnvVars': () => {
        if (process.env.AWS_EC2_METADATA_DISABLED === undefined) process.env.AWS_EC2_METADATA_DISABLED = 'true';
      },
      'before:invoke:local:invoke': () => {
        const fn = this.options.functionObj;
        if (fn && /^[^.]+(\.[^.]+)?$/.test(fn.handler)) {
          const i = fn.handler.lastIndexOf('.');
          fn.handler = `${fn.handler.slice(0, i)}.mjs${fn.handler.slice(i)}`;
        }
        process.setSourceMapsEnabled(true);
      },
    };
  }
}
module.exports = BlueprintsLocalInvoke;
