// Types of scripts/docs-claims.js for the TypeScript tests.
import type { Command } from 'commander';

/** One Markdown file. */
export interface DocFile {
  path: string;
  text: string;
}

/** What the claims are checked against. */
export interface DocsFacts {
  root: string;
  program: Command;
  surface: { main: Set<string>; node: Set<string> };
  types: Set<string>;
  defaults: {
    policy: string;
    temperature: number;
    probes: number;
    autoSupport: number;
    factorRank: number;
    optIn: string[];
  };
  policies: string[];
  methods: string[];
  backends: string[];
  pythonCommands: Record<string, Set<string>>;
}

export const NOT_API: Set<string>;
export function docFiles(root: string): DocFile[];
export function markdownParts(text: string): { lang: string | null; text: string; line: number }[];
export function commandClaims(text: string): { command: string; line: number }[];
export function pathClaims(doc: DocFile): { path: string; line: number }[];
export function symbolClaims(text: string): { name: string; entry: string | null; line: number; typeOnly?: boolean }[];
export function defaultClaims(text: string): { key: string; value: string | number; line: number; flag?: string }[];
export function checkDocsClaims(docs: DocFile[], facts: DocsFacts): { checked: number; problems: string[] };
export function readSurface(root: string): { main: Set<string>; node: Set<string> };
export function pythonCollectFlags(root: string): Set<string>;
export function exportedTypes(root: string): Set<string>;
export function factsFrom(root: string, api: unknown, buildProgram: (ctx: never) => Command): DocsFacts;
