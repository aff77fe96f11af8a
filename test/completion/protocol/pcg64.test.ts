import { PCG64 } from '../../../src/completion/protocol/pcg64.js';
import { SeedSequence } from '../../../src/completion/protocol/seedSequence.js';

// numpy.random.PCG64(seed).random_raw(3), printed by numpy 2.4.
const RAW: [number | bigint, bigint[]][] = [
  [0, [11749869230777074271n, 4976686463289251617n, 755828109848996024n]],
  [12345, [4193609425186963869n, 5843160025838961886n, 14708796524633321433n]],
  [2n ** 40n + 7n, [15307346044642009514n, 4709548916763817589n, 2836937976252648324n]],
];

describe('PCG64', () => {
  test.each(RAW)('seed %s: the 64-bit outputs equal numpy random_raw', (seed, want) => {
    const g = new PCG64(seed);
    expect([g.nextUint64(), g.nextUint64(), g.nextUint64()]).toEqual(want);
  });

  test('a SeedSequence seeds it as the integer does', () => {
    const g = new PCG64(new SeedSequence(12345));
    expect(g.nextUint64()).toBe(4193609425186963869n);
  });

  test('32-bit outputs are the low, then the high half of one 64-bit output', () => {
    const g = new PCG64(0);
    const first = 11749869230777074271n;
    expect(g.nextUint32()).toBe(Number(first & 0xffffffffn));
    expect(g.nextUint32()).toBe(Number(first >> 32n));
    // The third 32-bit draw starts the second 64-bit output.
    expect(g.nextUint32()).toBe(Number(4976686463289251617n & 0xffffffffn));
  });
});
