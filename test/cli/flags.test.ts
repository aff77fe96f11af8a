import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { threeTasks } from './taskMatrix.js';
import {
  parseChoice,
  parseIntList,
  parseInteger,
  parseNumberIn,
  parsePositiveInt,
  parsePositiveIntList,
  parseRowList,
  parseTemperature,
} from '../../src/cli/flags.js';
import { textTable } from '../../src/util/textTable.js';

const m = threeTasks;

describe('flag parsers', () => {
  it('parse lists, ranges and row ids', () => {
    expect(parseIntList('0-2, 5,1', '--seeds')).toEqual([0, 1, 2, 5]);
    expect(parsePositiveIntList('5,10,30', '--curve')).toEqual([5, 10, 30]);
    // "7" is a task id (row 2), not row 7; ranges are inclusive.
    expect(parseRowList('7,0-1', m, '--train-rows')).toEqual([2, 0, 1]);
    expect(() => parseRowList('0-3', m, '--train-rows')).toThrow('--train-rows: range 0-3 is outside 0-2');
  });

  it('share one error style', () => {
    expect(() => parsePositiveInt('0', '--known')).toThrow('--known must be a positive integer, got "0"');
    expect(() => parsePositiveInt('1.5', '--top')).toThrow('--top must be a non-negative integer, got "1.5"');
    expect(() => parseInteger('x', '--seed')).toThrow('--seed must be an integer, got "x"');
    expect(() => parseNumberIn('0', '--top-fraction', 0, 1, true)).toThrow('--top-fraction must be in (0, 1], got "0"');
    expect(() => parseChoice('gpu', '--backend', ['auto', 'cpu', 'webgpu'])).toThrow(
      '--backend must be auto, cpu or webgpu, got "gpu"',
    );
    expect(parseTemperature('auto')).toBe('auto');
    expect(parseTemperature('0.25')).toBe(0.25);
    expect(() => parseTemperature('-1')).toThrow('--temperature must be a positive number, got "-1"');
  });

  it('textTable aligns the first column left and the others right', () => {
    expect(
      textTable(
        ['name', 'n'],
        [
          ['ab', '1'],
          ['c', '100'],
        ],
      ),
    ).toBe('name    n\n----  ---\nab      1\nc     100\n');
    expect(textTable(['a', 'b'], [['xx', 'y']], { indent: '  ', align: 'left', rule: false, trimEnd: true })).toBe(
      '  a   b\n  xx  y\n',
    );
  });
});

describe('layering of the CLI and the report', () => {
  const src = join(process.cwd(), 'src');
  const imports = (dir: string): Array<[string, string]> =>
    readdirSync(join(src, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        [...readFileSync(join(src, dir, f), 'utf8').matchAll(/from '([^']+)'/g)].map((x): [string, string] => [
          f,
          x[1]!,
        ]),
      );

  it('commands never import each other; viz and report never import upwards', () => {
    for (const [file, spec] of imports('cli/commands')) {
      if (file !== 'index.ts') expect([file, spec]).toEqual([file, expect.not.stringMatching(/^\.\/(?!types\.js)/)]);
    }
    for (const [file, spec] of imports('viz'))
      expect([file, spec]).toEqual([file, expect.not.stringMatching(/\/(report|cli)\//)]);
    for (const [file, spec] of imports('report'))
      expect([file, spec]).toEqual([file, expect.not.stringMatching(/\/cli\//)]);
  });
});
