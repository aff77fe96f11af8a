import { isNumberText, NOT_A_NUMBER, parseNumberBytes } from '../../../src/io/long/parseNumber.js';

const parse = (s: string) => parseNumberBytes(new TextEncoder().encode(s), 0, s.length);

describe('parseNumberBytes', () => {
  test('decimals, signs and exponents, rounded as the float64 literal', () => {
    expect(parse('0.1')).toBe(0.1);
    expect(parse('+2.5E-3')).toBe(0.0025);
    expect(parse('-12')).toBe(-12);
    expect(Object.is(parse('-0'), -0)).toBe(true);
    expect(parse('0.30000000000000004')).toBe(0.30000000000000004);
    expect(parse('1e23')).toBe(1e23);
    // 2^53 + 1 lies halfway between two doubles: round half to even gives 2^53.
    expect(parse('9007199254740993')).toBe(2 ** 53);
  });

  test('nan and infinity words are non-finite numbers, in any case', () => {
    expect(parse('nan')).toBeNaN();
    expect(parse('-Inf')).toBe(-Infinity);
    expect(parse('INFINITY')).toBe(Infinity);
  });

  test('what Number() would accept but a table must not is not a number', () => {
    for (const s of ['', ' ', ' 1', '1 ', '0x1f', '1e', '--1', '1,5', 'abc']) expect(parse(s)).toBe(NOT_A_NUMBER);
  });

  test('only the bytes in [start, end) are read', () => {
    const buf = new TextEncoder().encode('x12,y');
    expect(parseNumberBytes(buf, 1, 3)).toBe(12);
    expect(parseNumberBytes(buf, 1, 4)).toBe(NOT_A_NUMBER);
  });
});

describe('isNumberText', () => {
  test('decimal numbers and the words nan / inf / infinity, white space around allowed', () => {
    for (const t of ['0', '-1', '+2.5', '.5', '5.', '1e-3', '1E+30', ' 7 ', 'nan', '-Inf', 'INFINITY', '007'])
      expect(isNumberText(t)).toBe(true);
  });
  test('anything else is text', () => {
    for (const t of ['', ' ', 'web', '1,000', '0x1f', '1e', '--1', '1.2.3', 'nan1', '½'])
      expect(isNumberText(t)).toBe(false);
  });
});
