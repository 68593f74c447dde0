// Bundles the dashboard and portal (web/src) into dist/web: hashed, minified JS and CSS under assets/,
// and index.html naming them. hookd serves these files; nothing is fetched from elsewhere.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/web');
rmSync(out, { recursive: true, force: true });

const result = await build({
  entryPoints: { app: join(root, 'web/src/main.tsx') },
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
const script = outputs.find((name) => name.endsWith('.js'));
const style = outputs.find((name) => name.endsWith('.css'));
if (!script || !style) throw new Error(`build-web: expected one .js and one .css, got ${outputs.join(', ')}`);

const html = readFileSync(join(root, 'web/index.html'), 'utf8')
  .replace('%SCRIPT%', `/assets/${script}`)
  .replace('%STYLE%', `/assets/${style}`);
writeFileSync(join(out, 'index.html'), html);

// The first-load budget (issue 14): JS + CSS, gzip.
const gzipped = [script, style].reduce((sum, name) => sum + gzipSync(readFileSync(join(out, 'assets', name))).length, 0);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'size.json'), JSON.stringify({ script, style, gzip_bytes: gzipped }, null, 2));
console.log(`web: ${script} + ${style}, ${(gzipped / 1024).toFixed(1)} KB gzip`);
