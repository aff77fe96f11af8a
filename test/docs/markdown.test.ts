import { codeBlocks } from './markdown.js';

describe('codeBlocks', () => {
  it('finds fenced blocks with their language, flags and line', () => {
    const md = [
      '# t',
      '```ts runnable',
      'const a = 1;',
      '```',
      'text',
      '```',
      'plain',
      '```',
      '~~~sh norun',
      'ls',
      '~~~',
    ].join('\n');
    expect(codeBlocks(md)).toEqual([
      { lang: 'ts', flags: ['runnable'], code: 'const a = 1;\n', line: 2 },
      { lang: '', flags: [], code: 'plain\n', line: 6 },
      { lang: 'sh', flags: ['norun'], code: 'ls\n', line: 9 },
    ]);
  });
  it('keeps inner shorter fences inside a longer fence', () => {
    const md = ['````md runnable', '```ts', 'x', '```', '````'].join('\n');
    expect(codeBlocks(md)).toEqual([{ lang: 'md', flags: ['runnable'], code: '```ts\nx\n```\n', line: 1 }]);
  });
});
