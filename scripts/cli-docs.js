/**
 * Renders the CLI reference (docs/cli.md) from the commander definitions, so the reference can never
 * drift from the code: `npm run docs:cli` writes it, test/docs/cli.test.ts checks it is current.
 */

/** Escapes `|` and newlines for a Markdown table cell. */
function cellText(text) {
  return String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** `<input>` / `[input]` / `<files...>` as commander shows arguments. */
function argumentUsage(arg) {
  const name = arg.name() + (arg.variadic ? '...' : '');
  return arg.required ? `<${name}>` : `[${name}]`;
}

/**
 * Markdown for every command of a commander program: usage line, description, arguments and options
 * (with defaults and whether they are required).
 * @param {import('commander').Command} program
 * @returns {string}
 */
export function renderCliMarkdown(program) {
  const lines = [];
  lines.push('# CLI reference', '');
  lines.push(
    '<!-- Generated from the command definitions (src/cli/commands/*) by `npm run docs:cli`. Do not edit by hand. -->',
    '',
  );
  lines.push(program.description(), '');
  lines.push(
    'Every command prints one JSON object on stdout with `--json` (progress and logs go to stderr) and exits with 0 on success, 2 on a usage or input error (one line, `file:line:column: what is wrong`) and 1 on any other failure (one line; an unexpected error asks for a bug report, and `FORGETSCOPE_DEBUG=1` adds its stack). Numeric flags are checked against the data before any work (e.g. `--known` at most the examples of the matrix, `--ratio` in (0, 1], `--probes` at most the examples), and so is every output location (its folder must exist).',
    '',
  );
  lines.push(
    'Outputs: without `--force` a file is created exclusively — of two runs writing the same `--out` one succeeds and the other exits 2 ("already exists"); a symbolic link, even a dangling one, counts as existing. With `--force` the file is replaced atomically (a temporary file beside it, then a rename). Folder outputs (`analyze --out DIR`) are written to a sibling temporary folder and renamed into place, so DIR is always the old or the new complete folder; `--force` replaces only an earlier output of the same command. Temporaries are named `.NAME.tmp-<pid>-<random>`; an interrupted run removes its own on SIGINT/SIGTERM, and the next write of the same output removes those of processes that no longer run (a warning names each). Files get the mode 0666 less the umask. Details: docs/io.md, "Writers".',
    '',
  );
  lines.push('## Commands', '');
  for (const cmd of program.commands)
    lines.push(`- [\`${cmd.name()}\`](#${cmd.name()}) — ${cellText(cmd.description())}`);
  lines.push('');
  for (const cmd of program.commands) {
    lines.push(`## ${cmd.name()}`, '');
    const args = cmd.registeredArguments.map(argumentUsage).join(' ');
    lines.push(
      '```',
      `forgetscope ${cmd.name()}${args ? ' ' + args : ''}${cmd.options.length > 0 ? ' [options]' : ''}`,
      '```',
      '',
    );
    lines.push(cmd.description(), '');
    if (cmd.registeredArguments.length > 0) {
      lines.push('| argument | description |', '|---|---|');
      for (const a of cmd.registeredArguments)
        lines.push(`| \`${argumentUsage(a)}\` | ${cellText(a.description ?? '')} |`);
      lines.push('');
    }
    if (cmd.options.length > 0) {
      lines.push('| option | description | default |', '|---|---|---|');
      for (const o of cmd.options) {
        const required = o.mandatory ? ' (required)' : '';
        const def = o.defaultValue === undefined ? '' : `\`${cellText(JSON.stringify(o.defaultValue))}\``;
        lines.push(`| \`${cellText(o.flags)}\` | ${cellText(o.description ?? '')}${required} | ${def} |`);
      }
      lines.push('');
    }
  }
  return lines.join('\n');
}
