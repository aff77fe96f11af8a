/** Fenced code blocks of a Markdown file, with the marker convention of docs/CONTRIBUTING.md. */
export interface CodeBlock {
  /** Language of the fence (`ts`, `sh`, `python` …), lower-case; '' when none. */
  lang: string;
  /** Words after the language in the info string (`runnable`, `norun` …). */
  flags: string[];
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/** Languages whose blocks are code examples (everything else — text, json, csv — is sample output). */
export const CODE_LANGS = new Set(['ts', 'typescript', 'js', 'javascript', 'sh', 'bash', 'shell', 'python', 'py']);

/** Extracts the fenced (```) code blocks of a Markdown text. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    while (
      j < lines.length &&
      !new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`).test(lines[j]!)
    ) {
      body.push(lines[j]!.slice(Math.min(indent, lines[j]!.length - lines[j]!.trimStart().length)));
      j++;
    }
    blocks.push({
      lang: open[3]!.toLowerCase(),
      flags: open[4]!.split(/\s+/).filter((w) => w !== ''),
      code: body.join('\n') + '\n',
      line: i + 1,
    });
    i = j;
  }
  return blocks;
}
