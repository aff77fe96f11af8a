import {
  isNumberText,
  NOT_A_NUMBER,
  numberOfText,
  parseNumberBytes,
  roundDecimal,
} from '../../../src/io/long/parseNumber.js';

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

describe('16 to 18 significant digits (roundDecimal)', () => {
  // a seeded linear congruential generator: the same strings on every run
  let seed = 20261207;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };

  test('full-precision doubles and 16–18 digit roundings parse as Number() does, bit for bit', () => {
    let checked = 0;
    for (let i = 0; i < 100000; i++) {
      const x = Math.exp((rnd() - 0.5) * 40) * (rnd() < 0.5 ? -1 : 1);
      for (const t of [String(x), x.toPrecision(16), x.toPrecision(17), x.toPrecision(18), x.toExponential(17)]) {
        const v = parse(t);
        if (!Object.is(v, Number(t))) throw new Error(`${t}: ${String(v)} ≠ ${Number(t)}`);
        checked++;
      }
    }
    expect(checked).toBe(500000);
  });

  test('random 16–18 digit significands with exponents −22 … 22', () => {
    for (let i = 0; i < 100000; i++) {
      const len = 16 + Math.floor(rnd() * 3);
      let d = String(1 + Math.floor(rnd() * 9));
      while (d.length < len) d += String(Math.floor(rnd() * 10));
      const t = `${d}e${Math.floor(rnd() * 45) - 22}`;
      if (parse(t) !== Number(t)) throw new Error(`${t}: ${String(parse(t))} ≠ ${Number(t)}`);
    }
  });

  test('hand-worked values; an exact tie is declined and settled by Number()', () => {
    // 0.30000000000000004 = 300000000·10^8 + 4 … written as head 300000000, tail 00000004, k = 8, e = −17
    expect(roundDecimal(300000000, 4, 8, -17)).toBe(0.1 + 0.2);
    // 1234567890123456789 would need 19 digits; 18: 123456789012345678·10^0 = 1.2345678901234568e17
    expect(roundDecimal(123456789, 12345678, 9, 0)).toBe(123456789012345680);
    // 2^53 + 1 = 9007199254740993 is halfway between 2^53 and 2^53 + 2: declined …
    expect(roundDecimal(900719925, 4740993, 7, 0)).toBeNull();
    // … and parsed with ties to even by the fallback
    expect(parse('9007199254740993')).toBe(2 ** 53);
    expect(parse('9007199254740995')).toBe(2 ** 53 + 4);
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

describe('numberOfText', () => {
  test('the number of a numeric text, white space around it ignored; the words as non-finite numbers', () => {
    expect(numberOfText(' 0.30000000000000004 ')).toBe(0.1 + 0.2);
    expect(numberOfText('-1.5e3')).toBe(-1500);
    expect(numberOfText('NaN')).toBeNaN();
    expect(numberOfText('+inf')).toBe(Infinity);
    expect(numberOfText('-Infinity')).toBe(-Infinity);
  });
});
