import { noProgress, throttleProgress } from '../../src/util/progress.js';

describe('throttleProgress', () => {
  test('passes the first update, drops updates inside the interval, always passes the final one', () => {
    const seen: [number, number | undefined, string][] = [];
    const sink = throttleProgress((d, t, l) => seen.push([d, t, l]), 60_000);
    sink(1, 10, 'fit');
    sink(2, 10, 'fit'); // within the minute: dropped
    sink(9, undefined, 'fit'); // unknown total, within the minute: dropped
    sink(10, 10, 'fit'); // final: passed
    expect(seen).toEqual([
      [1, 10, 'fit'],
      [10, 10, 'fit'],
    ]);
  });

  test('an interval of 0 passes everything; noProgress ignores everything', () => {
    const seen: number[] = [];
    const sink = throttleProgress((d) => seen.push(d), 0);
    for (const d of [1, 2, 3]) sink(d, undefined, 'x');
    expect(seen).toEqual([1, 2, 3]);
    expect(noProgress(1, 2, 'x')).toBeUndefined();
  });
});
