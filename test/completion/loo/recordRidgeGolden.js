#!/usr/bin/env node
// Records ridgeGolden.json from the built library (npm run build first): lowrank's outputs on the cases
// of ridgeGoldenCases.js, taken from the code before the with-side and without-side ridge steps became
// one pipeline, so the test can check that the refactor kept every number. Re-record only on purpose.
// Usage: node test/completion/loo/recordRidgeGolden.js
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lib from '../../../dist/index.js';
import { readForgettingMatrix } from '../../../dist/node.js';
import { runRidgeGoldenCases } from './ridgeGoldenCases.js';

const here = dirname(fileURLToPath(import.meta.url));
const record = await runRidgeGoldenCases({ ...lib, readForgettingMatrix });
// one case per line: small diffs when a case is added
const lines = Object.entries(record).map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`);
writeFileSync(join(here, 'ridgeGolden.json'), `{\n${lines.join(',\n')}\n}\n`);
process.stderr.write(`${Object.keys(record).length} cases\n`);
