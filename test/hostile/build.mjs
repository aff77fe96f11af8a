// Builders for the hostile cases (test/hostile/cases/*.mjs): one call per case, so that a case table
// reads as one entry per case. The shape a builder returns is the one test/hostile/runner.mjs checks.

/**
 * A case the CLI must refuse: exit status 2 and a stderr matching the pattern `stderr`. `files` are
 * written into the case's fresh folder, `args` name it as '{dir}'; `more` adds fields (`setup`,
 * `maxSeconds`, `maxRssMb`).
 */
export function refused(name, files, args, stderr, more = {}) {
  return { name, files, args, exit: 2, stderr, ...more };
}

/** A case the CLI must complete with exit status 0; `more` adds fields (a `stderr` pattern, `setup`, bounds). */
export function completes(name, files, args, more = {}) {
  return { name, files, args, exit: 0, ...more };
}

/**
 * Cases refused alike, one row each: a row `[name, extra, stderr]` runs `[...args, ...extra]` on
 * `files` and must fail as `refused` says.
 */
export function refusedRows(files, args, rows) {
  return rows.map(([name, extra, stderr]) => refused(name, files, [...args, ...extra], stderr));
}
