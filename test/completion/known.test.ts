import { checkKnownEntries } from '../../src/completion/known.js';
import { ForgetscopeError } from '../../src/util/errors.js';

describe('checkKnownEntries', () => {
  test('known entries: distinct in-range columns with finite values pass; anything else is refused', () => {
    expect(() =>
      checkKnownEntries({ columns: Int32Array.of(0, 2), values: Float64Array.of(0.1, -3) }, 3),
    ).not.toThrow();
    const bad = [
      { columns: Int32Array.of(0, 1), values: Float64Array.of(1) },
      { columns: Int32Array.of(3), values: Float64Array.of(1) },
      { columns: Int32Array.of(-1), values: Float64Array.of(1) },
      { columns: Int32Array.of(1, 1), values: Float64Array.of(1, 2) },
      { columns: Int32Array.of(1), values: Float64Array.of(NaN) },
    ];
    for (const known of bad) expect(() => checkKnownEntries(known, 3)).toThrow(ForgetscopeError);
  });
});
