/**
 * The CLI's output checks, made before any work so a long computation never ends in "cannot write":
 * the folder exists, nothing is in the way (unless --force), the extension names a table format.
 * And the one note on ids a spreadsheet would take for formulas.
 */
import {
  checkOutputFile,
  checkOutputFolder,
  cleanStaleTemps,
  type WriteFolderOptions,
} from '../io/node/atomicWrite.js';
import { tableFormatFromPath } from '../io/node/writeTable.js';
import { ForgetscopeError } from '../util/errors.js';
import type { CliContext } from './context.js';

/**
 * Checks an output file before any work: stale temporaries of dead runs beside it are cleaned (each
 * one a warning), then its folder must exist and nothing may be there unless `force`.
 */
export async function checkOutFile(ctx: CliContext, path: string, force: boolean | undefined): Promise<void> {
  for (const note of await cleanStaleTemps(path)) ctx.warn(note);
  await checkOutputFile(path, force);
}

/** `checkOutFile` for an output folder (`checkOutputFolder`: missing, empty, or an earlier output with force). */
export async function checkOutFolder(ctx: CliContext, dir: string, options: WriteFolderOptions): Promise<void> {
  for (const note of await cleanStaleTemps(dir)) ctx.warn(note);
  await checkOutputFolder(dir, options);
}

/** Checks `--out FILE` of a command that writes a table: a known extension, then `checkOutFile`. */
export async function checkTableOut(
  ctx: CliContext,
  path: string,
  force: boolean | undefined,
  flag = '--out',
): Promise<void> {
  if (tableFormatFromPath(path) === null) {
    throw new ForgetscopeError(
      'usage',
      `${flag}: cannot tell the format of ${path} from its extension; use .csv, .tsv, .parquet, .arrow or .npy`,
      { file: path },
    );
  }
  await checkOutFile(ctx, path, force);
}

/** The first characters that make a spreadsheet read a cell as a formula (and tab / carriage return). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Warns once when a CSV/TSV output holds ids a spreadsheet would read as formulas (starting with `=`,
 * `+`, `-`, `@`). The ids stay exact in the file — forgetscope's and Python's readers get them back
 * unchanged; the warning says to import the file as text or to write Parquet.
 */
export function warnSpreadsheetIds(ctx: CliContext, path: string, ids: readonly string[]): void {
  if (!/\.(csv|tsv|tab)$/i.test(path)) return;
  const hits = ids.filter((id) => FORMULA_START.test(id));
  if (hits.length === 0) return;
  ctx.warn(
    `${path}: ${hits.length} id${hits.length === 1 ? '' : 's'} (e.g. ${JSON.stringify(hits[0])}) start with =, +, -, @, tab or CR; they are written exactly, but a spreadsheet may run them as formulas — import the file as text, or write .parquet`,
  );
}
