import { SeedSequence, seedToWords } from '../../../src/completion/protocol/seedSequence.js';

describe('SeedSequence', () => {
  test("seedToWords: little-endian uint32 words (2^40 + 7 → [7, 256], 0 → [0]), as numpy's _int_to_uint32_array", () => {
    expect(Array.from(seedToWords(2 ** 40 + 7))).toEqual([7, 256]);
    expect(Array.from(seedToWords(2n ** 40n + 7n))).toEqual([7, 256]);
    expect(Array.from(seedToWords(0))).toEqual([0]);
  });

  // numpy.random.SeedSequence(seed).generate_state(…), printed by numpy 2.4.
  test('generate_state(4, uint32) and generate_state(2, uint64) equal numpy', () => {
    expect(Array.from(new SeedSequence(0).generateState32(4))).toEqual([2968811710, 3677149159, 745650761, 2884920346]);
    expect(Array.from(new SeedSequence(0).generateState64(2))).toEqual([15793235383387715774n, 12390638538380655177n]);
    expect(Array.from(new SeedSequence(2 ** 40 + 7).generateState32(4))).toEqual([
      238885397, 226915041, 1322230113, 2599373530,
    ]);
  });

  test('the uint64 words are pairs of uint32 words, low word first', () => {
    const w32 = new SeedSequence(0).generateState32(4);
    const w64 = new SeedSequence(0).generateState64(2);
    expect(w64[0]).toBe(BigInt(w32[0]!) | (BigInt(w32[1]!) << 32n));
  });
});
