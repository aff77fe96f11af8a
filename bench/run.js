#!/usr/bin/env node
// Benchmark dispatcher: `npm run bench -- <name> [args]` runs bench/<name>/index.js (plain ESM that
// imports the built library from dist/). Results are printed; a benchmark that records JSON gets its table in bench/RESULTS.md from
// bench/tables/render.js (`npm run bench:tables`), the others are recorded there by hand.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [name, ...rest] = process.argv.slice(2);
const available = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'index.js')))
  .map((d) => d.name);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [options]`);
  process.exit(2);
}
process.argv = [process.argv[0], join(here, name, 'index.js'), ...rest];
await import(pathToFileURL(join(here, name, 'index.js')).href);
