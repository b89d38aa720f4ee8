// Copies mqtt.js's browser build next to app.js for static hosting (S3, CloudFront): `pnpm web:vendor`.
// The copy is git-ignored; the source of truth is the `mqtt` package version in package.json.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = dirname(fileURLToPath(import.meta.url));
const mqttDir = dirname(createRequire(import.meta.url).resolve('mqtt/package.json'));
mkdirSync(join(webDir, 'vendor'), { recursive: true });
copyFileSync(join(mqttDir, 'dist', 'mqtt.esm.js'), join(webDir, 'vendor', 'mqtt.esm.js'));
console.log('web/vendor/mqtt.esm.js written');
