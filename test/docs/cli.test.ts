import { readFileSync } from 'node:fs';
import { buildProgram } from '../../src/cli/main.js';
import { renderCliMarkdown } from '../../scripts/cli-docs.js';

const silent = { out() {}, err() {}, printJson() {}, progress: () => () => {}, warn() {}, argv: [] as string[] };

describe('docs/cli.md', () => {
  const program = buildProgram(silent);
  const markdown = renderCliMarkdown(program);

  it('documents every command, argument and option of the CLI', () => {
    for (const cmd of program.commands) {
      expect(markdown).toContain(`## ${cmd.name()}\n`);
      for (const o of cmd.options) expect(markdown).toContain(`| \`${o.flags.replace(/\|/g, '\\|')}\` |`);
    }
    expect(markdown).toContain('| `--out <file>` | the HTML file to write (required) |');
  });

  it('is up to date with the command definitions (regenerate with `npm run docs:cli`)', () => {
    expect(readFileSync('docs/cli.md', 'utf8')).toBe(markdown);
  });
});
