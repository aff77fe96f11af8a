import type { Command } from 'commander';
/** Markdown for every command of a commander program (see cli-docs.js). */
export function renderCliMarkdown(program: Command): string;
