import { argv } from './cli.js';

describe('argv (command lines written as one template)', () => {
  test('literal words split at white space, values whole, glued values, arrays spread', () => {
    const dir = '/tmp/a b';
    expect(argv`replay ${dir}/z.csv  --n 10\n  --out=${dir} ${['--seeds', '0-1']} ${''}`).toEqual([
      'replay',
      '/tmp/a b/z.csv',
      '--n',
      '10',
      '--out=/tmp/a b',
      '--seeds',
      '0-1',
      '',
    ]);
    expect(argv`info`).toEqual(['info']);
  });
});
