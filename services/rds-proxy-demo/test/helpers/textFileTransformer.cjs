// Jest transformer: `.sql` and `.pem` files become ES modules whose default export is the file's
// text, which is what esbuild's `text` loader does for the bundles (custom.bundle.loader).
'use strict';

module.exports = {
  process(sourceText) {
    return { code: `export default ${JSON.stringify(sourceText)};\n` };
  },
};
