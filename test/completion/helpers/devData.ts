/** Test helpers: the bundled real-dev-v1 fixture and the reference results of the paper's protocol. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Repository root. */
export const repoRoot = join(here, '..', '..', '..');
/** The bundled dev data folder. */
export const devDataDir = join(repoRoot, 'fixtures', 'real-dev-v1');

/**
 * Z.npy of the dev data (float32 M×N, C order) as a float64 ForgettingMatrix. A deliberately tiny
 * reader (the fixture's exact dtype only) so these tests do not depend on the IO layer.
 */
export function loadDevMatrix(): ForgettingMatrix {
  const bytes = readFileSync(join(devDataDir, 'Z.npy'));
  const headerLen = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLen).toString('latin1');
  if (!header.includes("'descr': '<f4'") || !header.includes("'fortran_order': False")) {
    throw new Error(`unexpected Z.npy header ${header}`);
  }
  const shape = /'shape': \((\d+), (\d+)\)/.exec(header)!;
  const m = Number(shape[1]);
  const n = Number(shape[2]);
  const start = 10 + headerLen;
  const f32 = new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + 4 * m * n));
  return new ForgettingMatrix({
    values: Float64Array.from(f32),
    taskIds: Array.from({ length: m }, (_, i) => `row${i}`),
    exampleIds: Array.from({ length: n }, (_, j) => `col${j}`),
  });
}

/** The reference results of the paper's protocol on the dev data (copied verbatim from the spec). */
export interface ReferenceResults {
  trainRows: number[];
  testRows: number[];
  known: number;
  seeds: number[];
  knownColumns: Record<string, number[]>;
  methods: Record<
    string,
    {
      rmse: number | null;
      f1: number;
      precision: number;
      recall: number;
      auc: number;
      perSeed: {
        seed: number;
        n_known: number;
        rmse: number | null;
        f1: number;
        precision: number;
        recall: number;
        auc: number;
      }[];
    }
  >;
  predictionsSeed0FirstTestRow: Record<string, Record<string, number[]>>;
}

/** Loads the reference results. */
export function loadReference(): ReferenceResults {
  return JSON.parse(
    readFileSync(join(here, '..', 'data', 'reference-results-real-dev-v1.json'), 'utf8'),
  ) as ReferenceResults;
}
