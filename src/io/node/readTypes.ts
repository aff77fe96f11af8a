import type { SideMatrix, SideReport } from '../../matrix/sideMatrices.js';
import type {
  ReadOptions as CoreReadOptions,
  ReadReport as CoreReadReport,
  ReadResult as CoreReadResult,
} from '../types.js';

/** Options of `readForgettingMatrix`: every reader's options, and the side matrices to read with the matrix. */
export interface ReadOptions extends CoreReadOptions {
  /**
   * Side matrices to read with the matrix (files and folders): `side/<name>.npy` of a dataset folder,
   * read with the folder, or the numeric column `<name>` of a long table. Shapes are validated; the
   * result carries them as `side` and the report describes them.
   */
  side?: readonly string[];
}

/** The report of `readForgettingMatrix`: every reader's report, and the side matrices read. */
export interface ReadReport extends CoreReadReport {
  /** The side matrices read (`ReadOptions.side`), by name: source, stored shape and dtype. */
  side?: Record<string, SideReport>;
}

/** The result of `readForgettingMatrix`: the matrix and, when asked for, its side matrices. */
export interface ReadResult extends CoreReadResult {
  report: ReadReport;
  /** Side matrices aligned with `matrix` (only when `ReadOptions.side` named some), in the order asked. */
  side?: SideMatrix[];
}
