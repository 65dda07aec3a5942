// Builds the console's page into dist/assets/ (app.js, app.css, index.html) at the package's
// build: Preact and the views become one minified module, so a user runs no build step and the
// page loads nothing from anywhere else (it works offline). Preact is a build-time dependency only.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'rolldown';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist', 'assets');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  cwd: root,
  input: { app: join(root, 'src/ui/main.tsx') },
  platform: 'browser',
  logLevel: 'warn',
  transform: { target: 'es2022', jsx: { runtime: 'automatic', importSource: 'preact' } },
  output: { dir: out, format: 'esm', entryFileNames: '[name].js', minify: true, sourcemap: false },
});
copyFileSync(join(root, 'src/ui/app.css'), join(out, 'app.css'));
copyFileSync(join(root, 'src/ui/index.html'), join(out, 'index.html'));
copyFileSync(join(root, 'src/ui/icon.svg'), join(out, 'icon.svg'));
