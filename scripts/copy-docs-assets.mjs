// Copies Swagger UI's browser bundle into the built web app so /api/docs
// renders offline, served by the Worker's static assets.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const source = dirname(require.resolve('swagger-ui-dist/package.json'));
const target = join(import.meta.dirname, '..', 'web', 'dist', 'docs-assets');
mkdirSync(target, { recursive: true });
for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) copyFileSync(join(source, file), join(target, file));
console.log(`API docs assets copied to ${target}`);
