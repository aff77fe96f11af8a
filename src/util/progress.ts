/**
 * The one progress interface of forgetscope. Long operations accept an optional `ProgressSink` and
 * report `(done, total, label)`; the CLI turns it into a bar on stderr, notebooks into a callback.
 * The core never writes to a console by itself.
 */

/** Receives progress updates. `total` may be undefined when unknown (e.g. a stream). */
export type ProgressSink = (done: number, total: number | undefined, label: string) => void;

/** A sink that ignores everything. */
export const noProgress: ProgressSink = () => {};

/**
 * Wraps a sink so that it is called at most every `intervalMs` milliseconds (and always for the
 * final update where `done === total`).
 */
export function throttleProgress(sink: ProgressSink, intervalMs = 100): ProgressSink {
  let last = -Infinity;
  return (done, total, label) => {
    const now = Date.now();
    if (now - last >= intervalMs || (total !== undefined && done >= total)) {
      last = now;
      sink(done, total, label);
    }
  };
}

/** Warnings (backend fallbacks, dropped rows) go through this sink; the CLI prints them on stderr. */
export type WarningSink = (message: string) => void;
