// The command-line options and the timing helpers that the benchmark scripts share.

const args = process.argv.slice(2);

/** The script's arguments (after `node script.js`). */
export const argv = args;

/** True when `--name` was given. */
export const flag = (name) => args.includes(`--${name}`);

/** The value after `--name`, or `fallback`. */
export const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

/** The comma-separated values after `--name` (else in `fallback`), as strings. */
export const optList = (name, fallback) => opt(name, fallback).split(',');

/** The comma-separated values after `--name` (else in `fallback`), as numbers. */
export const optNumbers = (name, fallback) => optList(name, fallback).map(Number);

/** The median of `xs` (the upper middle one for an even count). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs `fn` `n` times in turn: the wall seconds of each run, their median and the last run's result. */
export async function timeRuns(fn, n) {
  const all = [];
  let out;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    out = await fn();
    all.push((performance.now() - t0) / 1000);
  }
  return { median: median(all), all, out };
}
