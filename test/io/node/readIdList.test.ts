/** Id lists on disk: one id per line, strict UTF-8, the error at the line of a bad byte. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readForgettingMatrix, readIdList } from '../../../src/io/node/index.js';
import { encodeNpy } from '../../../src/io/npy/encodeNpy.js';
import { tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir('forgetscope-idlist-');
afterAll(cleanup);

describe('readIdList', () => {
  test('a BOM, CRLF and a trailing newline are not part of the ids', async () => {
    writeFileSync(join(dir, 'ids.txt'), '\ufeff007\r\nb c\r\n');
    expect(await readIdList(join(dir, 'ids.txt'))).toEqual(['007', 'b c']);
  });

  test('a repeated id is an error naming the file', async () => {
    writeFileSync(join(dir, 'dup.txt'), 'a\nb\na\n');
    await expect(readIdList(join(dir, 'dup.txt'))).rejects.toThrow(join(dir, 'dup.txt'));
  });

  test('invalid UTF-8 in an id sidecar is an error at its line', async () => {
    writeFileSync(join(dir, 'u.npy'), encodeNpy(Float64Array.from([1, 2]), [1, 2]));
    writeFileSync(join(dir, 'u.examples.txt'), Uint8Array.from([0x61, 0x0a, 0x62, 0xff, 0x0a]));
    await expect(readForgettingMatrix(join(dir, 'u.npy'))).rejects.toThrow(
      `${join(dir, 'u.examples.txt')}:2:2: invalid UTF-8`,
    );
  });
});
