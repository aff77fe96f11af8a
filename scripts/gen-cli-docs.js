#!/usr/bin/env node
// Writes docs/cli.md from the built CLI's command definitions (run `npm run build` first, or use
// `npm run docs:cli`, which builds).
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../dist/cli/main.js';
import { renderCliMarkdown } from './cli-docs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const silent = { out() {}, err() {}, printJson() {}, progress: () => () => {}, warn() {}, argv: [] };
const target = join(root, 'docs', 'cli.md');
const tmp = `${target}.${process.pid}.tmp`;
writeFileSync(tmp, renderCliMarkdown(buildProgram(silent)));
renameSync(tmp, target);
console.error(`wrote ${target}`);
