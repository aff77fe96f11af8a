import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { readDataset } from '../../../src/io/dataset/readDataset.js';

/** The bundled real-dev-v1 fixture folder, relative to the repository root (jest runs there). */
export const FIXTURE = join('fixtures', 'real-dev-v1');

/** Loads the fixture through the dataset-folder reader (values from Z.npy, float64). */
export function loadFixture(): ForgettingMatrix {
  return readDataset({
    z: readFileSync(join(FIXTURE, 'Z.npy')),
    tasksJson: readFileSync(join(FIXTURE, 'tasks.json'), 'utf8'),
    examplesJsonl: readFileSync(join(FIXTURE, 'examples.jsonl'), 'utf8'),
    baseNll: readFileSync(join(FIXTURE, 'base_nll.npy')),
  }).matrix;
}
