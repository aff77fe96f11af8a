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
  lines.push('<!-- Generated from the command definitions (src/cli/commands/*) by `npm run docs:cli`. Do not edit by hand. -->', '');
  lines.push(program.description(), '');
  lines.push('Every command prints one JSON object on stdout with `--json` (progress and logs go to stderr) and exits with 0 on success, 2 on a usage or input error (`file:line:column: what is wrong`) and 1 on any other failure. Outputs are written atomically and never replace an existing file without `--force`.', '');
  lines.push('## Commands', '');
  for (const cmd of program.commands) lines.push(`- [\`${cmd.name()}\`](#${cmd.name()}) — ${cellText(cmd.description())}`);
  lines.push('');
  for (const cmd of program.commands) {
    lines.push(`## ${cmd.name()}`, '');
    const args = cmd.registeredArguments.map(argumentUsage).join(' ');
    lines.push('```', `forgetscope ${cmd.name()}${args ? ' ' + args : ''}${cmd.options.length > 0 ? ' [options]' : ''}`, '```', '');
    lines.push(cmd.description(), '');
    if (cmd.registeredArguments.length > 0) {
      lines.push('| argument | description |', '|---|---|');
      for (const a of cmd.registeredArguments) lines.push(`| \`${argumentUsage(a)}\` | ${cellText(a.description ?? '')} |`);
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
