#!/usr/bin/env node
// Checks the claims of README.md and docs/*.md against the built package (run `npm run build` first):
// CLI commands and flags, repository paths, public names, stated defaults (scripts/docs-claims.js).
// Prints one `file:line: problem` per drift and exits 1 when there is any.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from '../dist/index.js';
import { buildProgram } from '../dist/cli/main.js';
import { checkDocsClaims, docFiles, factsFrom } from './docs-claims.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { checked, problems } = checkDocsClaims(docFiles(root), factsFrom(root, api, buildProgram));
for (const p of problems) console.error(p);
console.error(`docs claims: ${checked} checked, ${problems.length} wrong`);
process.exit(problems.length > 0 ? 1 : 0);
