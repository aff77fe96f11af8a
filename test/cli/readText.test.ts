import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInputFile, readText } from '../../src/cli/readText.js';

const dir = mkdtempSync(join(tmpdir(), 'fs-readtext-'));

describe('readText and checkInputFile', () => {
  test('readText returns the UTF-8 text of a file', async () => {
    const path = join(dir, 'ids.txt');
    writeFileSync(path, 'e1\nλ2\n');
    expect(await readText(path)).toBe('e1\nλ2\n');
    await expect(checkInputFile(path)).resolves.toBeUndefined();
  });

  test('a missing file is a usage error naming it; a folder is an io error for readText, a usage error for checkInputFile', async () => {
    const missing = join(dir, 'nope.txt');
    await expect(readText(missing)).rejects.toMatchObject({ code: 'usage', file: missing, detail: 'no such file' });
    await expect(checkInputFile(missing)).rejects.toMatchObject({ code: 'usage', file: missing });
    await expect(readText(dir)).rejects.toMatchObject({ code: 'io', file: dir, detail: 'cannot read (EISDIR)' });
    await expect(checkInputFile(dir)).rejects.toMatchObject({
      code: 'usage',
      detail: 'cannot open: is a folder, not a file',
    });
  });
});
