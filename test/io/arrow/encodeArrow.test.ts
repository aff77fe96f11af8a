/** Arrow encoding, read back with apache-arrow itself: column types kept, NaN written as null. */
import { tableFromIPC } from 'apache-arrow';
import { encodeArrow } from '../../../src/io/arrow/encodeArrow.js';

describe('encodeArrow', () => {
  test.each(['file', 'stream'] as const)('%s: types kept, NaN as null', (format) => {
    const bytes = encodeArrow(
      {
        id: ['a', 'b', 'c'],
        x: Float64Array.from([0.1, NaN, -2]),
        f: Float32Array.from([0.5, 1.5, 2.5]),
        k: Int32Array.from([7, -8, 9]),
        ok: [true, false, true],
      },
      format,
    );
    // A file starts with the ARROW1 magic; a stream does not.
    expect(String.fromCharCode(...bytes.subarray(0, 6)) === 'ARROW1').toBe(format === 'file');
    const t = tableFromIPC(bytes);
    expect(t.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'id:Utf8',
      'x:Float64',
      'f:Float32',
      'k:Int32',
      'ok:Bool',
    ]);
    expect(t.getChild('id')!.toArray()).toEqual(['a', 'b', 'c']);
    expect(t.getChild('x')!.toArray()[0]).toBe(0.1);
    expect(t.getChild('x')!.get(1)).toBeNull();
    expect(t.getChild('x')!.get(2)).toBe(-2);
    expect(Array.from(t.getChild('f')!.toArray() as Float32Array)).toEqual([0.5, 1.5, 2.5]);
    expect(Array.from(t.getChild('k')!.toArray() as Int32Array)).toEqual([7, -8, 9]);
    expect([0, 1, 2].map((r) => t.getChild('ok')!.get(r))).toEqual([true, false, true]);
  });
});
