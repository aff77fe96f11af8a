/** The library functions the golden cases run (the built package or the sources). */
export interface RidgeGoldenLibrary {
  ForgettingMatrix: unknown;
  fitLowrankCompletion: unknown;
  readForgettingMatrix: unknown;
  defaultRng: unknown;
  knownEntriesOf: unknown;
  selectSideRows: unknown;
  sideRowOf: unknown;
}

/** Runs the golden cases through `lib`: per case key, the decision and the digests and samples of each row. */
export function runRidgeGoldenCases(lib: RidgeGoldenLibrary): Promise<Record<string, unknown>>;
