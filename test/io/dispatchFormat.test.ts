import { delimiterOf, dispatchFormat, textFormatReaders } from '../../src/io/dispatchFormat.js';
import { ForgetscopeError } from '../../src/util/errors.js';

const enc = (s: string) => new TextEncoder().encode(s);
const where = { file: 'in.x', source: 'src.x', empty: 'nothing here' };

describe('dispatchFormat', () => {
  test("runs the format's reader and labels the result with the format and the source", async () => {
    const readers = textFormatReaders(() => [enc('task\texample\tdelta\nt\te\t0.25\n')], { file: 'in.x' });
    const r = await dispatchFormat('tsv', readers, where);
    expect(r.format).toBe('tsv');
    expect(r.source).toBe('src.x');
    expect(r.matrix.get(0, 0)).toBe(0.25);
  });

  test('no format is an empty error at 1:1; a format without a reader is a usage error or the fallback', async () => {
    const e = await dispatchFormat(null, {}, where).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ForgetscopeError);
    expect((e as ForgetscopeError).message).toBe('in.x:1:1: nothing here');
    await expect(dispatchFormat('parquet', {}, where)).rejects.toThrow('format "parquet" cannot be read here');
    const fallback = async (f: string) => {
      throw new Error(`fallback ${f}`);
    };
    await expect(dispatchFormat('arrow', {}, { ...where, fallback })).rejects.toThrow('fallback arrow');
  });

  test('delimiterOf: the option, else tab for tsv and comma for csv', () => {
    expect(delimiterOf('tsv', {})).toBe('\t');
    expect(delimiterOf('csv', {})).toBe(',');
    expect(delimiterOf('csv', { delimiter: ';' })).toBe(';');
  });
});
