/**
 * The CLI's readers of its inputs, each one way for every command: the forgetting matrix itself (with
 * the reader's warnings printed), the measured entries of a new task (any table format io reads) and
 * lists of example ids (exclusions, held-out sets).
 */
import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import type { KnownEntries } from '../completion/types.js';
import type { ReadOptions } from '../io/types.js';
import {
  readForgettingMatrix,
  type ReadOptions as NodeReadOptions,
  type ReadResult,
} from '../io/node/readForgettingMatrix.js';
import { locateFieldValue } from '../io/locateFieldValue.js';
import { splitDelimited } from '../io/csv/DelimitedTokenizer.js';
import { parseIdList } from '../io/parseIdList.js';
import { parseJsonIdList } from '../io/json/parseJsonLimited.js';
import { ForgetscopeError, formatLocation } from '../util/errors.js';
import { readText } from './readText.js';
import { itemAt } from '../util/checked.js';

/**
 * Reads a command's forgetting matrix (`readForgettingMatrix`) and hands each of the reader's warnings
 * (`report.warnings`: a metadata column left out, embedding values that are not finite) to `warn`,
 * prefixed with the input, so a command never drops what the reader noticed without a word.
 */
export async function readMatrixInput(
  input: string,
  options: NodeReadOptions,
  warn: (message: string) => void,
): Promise<ReadResult> {
  const read = await readForgettingMatrix(input, options);
  for (const w of read.report.warnings ?? []) warn(`${input}: ${w}`);
  return read;
}

/**
 * Reads the measured entries of a new task — a table with columns `example` and `value`, in any format
 * io reads (CSV, TSV, JSON Lines, Arrow, Parquet) — against the matrix's example ids (ascending columns
 * out). io reads the example column as both task and example, so each row becomes one diagonal cell and
 * bad numbers, repeats and missing columns get io's errors with file, line and column.
 */
export async function readMeasuredEntries(
  path: string,
  matrix: ForgettingMatrix,
  options: ReadOptions = {},
  warn?: (message: string) => void,
): Promise<KnownEntries> {
  let read;
  try {
    read = await readForgettingMatrix(path, {
      ...options,
      columns: { task: 'example', example: 'example', delta: 'value' },
    });
  } catch (e) {
    // NaN here is never "missing": the reader's hint about nanAsMissing does not apply to measured entries
    if (e instanceof ForgetscopeError && /nanAsMissing/.test(e.detail)) {
      const detail =
        e.detail.replace(/\s*\(pass nanAsMissing[^)]*\)/, '') +
        '; a measured entry needs a finite value — leave out the examples that were not measured';
      throw new ForgetscopeError(e.code, detail, {
        ...(e.file !== undefined ? { file: e.file } : {}),
        ...(e.line !== undefined ? { line: e.line } : {}),
        ...(e.column !== undefined ? { column: e.column } : {}),
      });
    }
    throw e;
  }
  const { matrix: diagonal, format } = read;
  const skipped = Object.values(read.report.dropped).reduce((a, b) => a + b, 0);
  if (skipped > 0 && warn) warn(await skippedEntries(path, format, skipped, read.report.dropped));
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < diagonal.rows; i++) {
    const id = itemAt(diagonal.taskIds, i, 'row');
    // A row whose value was blank, null or NaN (dropped by io) is not a measured entry.
    if (!diagonal.isObserved(i, diagonal.exampleIndex(id))) continue;
    const j = matrix.findExample(id);
    if (j < 0) {
      // text inputs: point at the line (the matrix no longer knows it); columnar ones: the data row
      const text = format === 'csv' || format === 'tsv' || format === 'jsonl' ? await readText(path) : '';
      const at = locateFieldValue(text, format, 'example', id);
      const where = at ? { file: path, ...at } : { file: path, column: 'example' };
      throw new ForgetscopeError(
        'input',
        `example "${id}"${at ? '' : ` (data row ${i + 1})`} is not an example of the matrix`,
        where,
      );
    }
    const c = diagonal.exampleIndex(id);
    if (!diagonal.isObserved(i, c) || !Number.isFinite(diagonal.get(i, c))) {
      throw new ForgetscopeError(
        'input',
        `example "${id}" has no measured value (blank, NaN or null); a measured entry needs a finite value — leave out the examples that were not measured`,
        await valueLocation(path, format, id, i),
      );
    }
    pairs.push([j, diagonal.get(i, c)]);
  }
  if (pairs.length === 0) throw new ForgetscopeError('empty', 'no measured entries', { file: path });
  pairs.sort((a, b) => a[0] - b[0]);
  return { columns: Int32Array.from(pairs, (p) => p[0]), values: Float64Array.from(pairs, (p) => p[1]) };
}

/**
 * The warning for measured-entry rows the reader left out (a blank, null or otherwise non-finite value
 * means "not measured"): how many, why, and where the first one is (`file:line:column` in a text table).
 */
async function skippedEntries(
  path: string,
  format: string,
  count: number,
  reasons: Record<string, number>,
): Promise<string> {
  let where = `${path}: `;
  if (format === 'csv' || format === 'tsv') {
    const records = splitDelimited(await readText(path), { file: path, delimiter: format === 'tsv' ? '\t' : ',' });
    const v = records[0]?.fields.indexOf('value') ?? -1;
    const first =
      v < 0 ? undefined : records.slice(1).find((r) => !Number.isFinite(Number.parseFloat(r.fields[v] ?? '')));
    if (first)
      where = `${formatLocation({ file: path, line: first.line, column: first.columns[v] ?? first.columns.at(-1) })}`;
  }
  const why = Object.entries(reasons)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return `${where}${count} measured ${count === 1 ? 'entry has' : 'entries have'} no finite value (${why}); counted as not measured${where === `${path}: ` ? '' : ' (the first one here)'}`;
}

/**
 * Where the value of example `id` is: in a text table the line and the character column of its `value`
 * field, in JSON Lines the line and the key, otherwise the data row.
 */
async function valueLocation(
  path: string,
  format: string,
  id: string,
  row: number,
): Promise<{ file: string; line?: number; column: number | string }> {
  if (format === 'jsonl') {
    const at = locateFieldValue(await readText(path), format, 'example', id);
    return at ? { file: path, line: at.line, column: 'value' } : { file: path, column: 'value' };
  }
  if (format !== 'csv' && format !== 'tsv') return { file: path, line: row + 1, column: 'value' };
  const records = splitDelimited(await readText(path), { file: path, delimiter: format === 'tsv' ? '\t' : ',' });
  const head = records[0]?.fields ?? [];
  const e = head.indexOf('example');
  const v = head.indexOf('value');
  const hit = records.slice(1).find((r) => r.fields[e] === id);
  const column = v >= 0 ? hit?.columns[v] : undefined;
  return hit && column !== undefined ? { file: path, line: hit.line, column } : { file: path, column: 'value' };
}

/**
 * Reads a side row — one value per example of the matrix (`example, value`, any format io reads), e.g.
 * base NLL for the surprise replay policy — as a dense row in the matrix's example order.
 */
export async function readSideRow(
  path: string,
  matrix: ForgettingMatrix,
  options: ReadOptions = {},
): Promise<Float64Array> {
  const { columns, values } = await readMeasuredEntries(path, matrix, options);
  if (columns.length !== matrix.cols) {
    throw new ForgetscopeError(
      'input',
      `side row has ${columns.length} of the ${matrix.cols} examples; it needs a value for every example`,
      { file: path },
    );
  }
  const out = new Float64Array(matrix.cols);
  columns.forEach((j, t) => {
    out[j] = itemAt(values, t, 'measured entry');
  });
  return out;
}

/**
 * Reads a list of example ids: one per line, or JSON — a list of ids or an object with `example_ids`
 * (what the Python harness writes as heldout_examples.json).
 */
export async function readExampleIds(path: string): Promise<string[]> {
  const text = await readText(path);
  const head = text.replace(/^\uFEFF/, '').trimStart()[0];
  if (head !== '[' && head !== '{') return parseIdList(text, path);
  // Number ids keep their exact digits; nesting is depth-limited.
  return parseJsonIdList(text, path);
}

/** An exclusion mask over the matrix's examples, and how many examples it excludes. */
export interface ExampleMask {
  mask: Uint8Array;
  count: number;
}

/**
 * Turns example ids into a mask over the matrix's examples. Unknown ids are an error naming the file
 * and the list position, unless `unknown: 'skip'` (a held-out list written for a larger dataset).
 */
export function exampleMask(
  ids: readonly string[],
  matrix: ForgettingMatrix,
  file: string,
  options: { unknown?: 'error' | 'skip' } = {},
): ExampleMask {
  const mask = new Uint8Array(matrix.cols);
  let count = 0;
  ids.forEach((id, k) => {
    const j = matrix.findExample(id);
    if (j < 0) {
      if (options.unknown === 'skip') return;
      throw new ForgetscopeError('input', `example "${id}" is not an example of the matrix`, {
        file,
        line: k + 1,
        column: 1,
      });
    }
    if (mask[j] === 0) count++;
    mask[j] = 1;
  });
  return { mask, count };
}

/** Reads an exclusion list (`readExampleIds`) as a mask over the matrix's examples. */
export async function readExclusion(
  path: string,
  matrix: ForgettingMatrix,
  options: { unknown?: 'error' | 'skip' } = {},
): Promise<ExampleMask> {
  return exampleMask(await readExampleIds(path), matrix, path, options);
}

/** `[rows, cols]` of a 2-D tensor shape, or undefined for any other rank. */
export function shape2D(shape: readonly number[]): [number, number] | undefined {
  const [rows, cols, ...rest] = shape;
  return rows !== undefined && cols !== undefined && rest.length === 0 ? [rows, cols] : undefined;
}
