// The checkable claims of README.md and docs/**/*.md, checked against the code:
// - every `forgetscope <command> --flag …` (inline code or a shell line) names a real command and its real
//   flags, and the values it gives --policy / --method(s) / --backend are real choices;
// - every repository path (src/, bench/, test/, scripts/, fixtures/, python/, docs/) in inline code or a
//   link exists;
// - every name imported from 'forgetscope' / 'forgetscope/node' in a code block, and every backticked
//   call-shaped camelCase name (`planOfflineReplay(…)`), is in the public surface (test/package/surface.txt)
//   unless it is a member or a Python name listed in NOT_API below;
// - the defaults stated in prose (default policy, its temperature / probes / support / factor rank, the
//   opt-in methods) equal the code's.
// scripts/check-docs-claims.mjs runs it against the built package; test/docs/claims.test.ts against src/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** Call-shaped backticked names that are members of API objects or Python names, not exports. */
export const NOT_API = new Set([
  // members (methods of returned objects and classes)
  'fit',
  'predictRow',
  'predictRowWithInterval',
  'weigh',
  'dispose',
  'gram',
  'gemm',
  'gemv',
  'maskedGram',
  'topSVD',
  'selectRows',
  'selectCols',
  'summary',
  'row',
  'column',
  'get',
  'next',
  'add',
  'sample',
  'update',
  'printJson',
  'register',
  'parse',
  'random',
  'standardNormal',
  'integers',
  'choice',
  'permutation',
  'toFloat64',
  'describe',
  // JavaScript and Deno built-ins
  'fetch',
  'structuredClone',
  'requestAdapter',
  'readFile',
  'writeFile',
  'renameSync',
  'importScripts',
]);

const DOC_ROOT_FILES = ['README.md'];
const PATH_PREFIXES = ['src', 'bench', 'test', 'scripts', 'fixtures', 'python', 'docs'];

/** README.md and every Markdown file under docs/ (generated API pages excluded), as { path, text }. */
export function docFiles(root) {
  const out = DOC_ROOT_FILES.map((p) => ({ path: p, text: readFileSync(join(root, p), 'utf8') }));
  const walk = (dir) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) {
        if (p !== 'docs/api') walk(p);
      } else if (e.name.endsWith('.md')) out.push({ path: p, text: readFileSync(join(root, p), 'utf8') });
    }
  };
  walk('docs');
  return out;
}

/** Splits Markdown into fenced blocks ({ lang, text, line }) and the prose between them (same shape, lang null). */
export function markdownParts(text) {
  const parts = [];
  const lines = text.split('\n');
  let fence = null;
  let buf = [];
  let start = 1;
  lines.forEach((l, i) => {
    const m = /^\s*(```+|~~~+)\s*([\w+-]*)/.exec(l);
    if (fence === null && m) {
      parts.push({ lang: null, text: buf.join('\n'), line: start });
      fence = { mark: m[1], lang: m[2] ?? '' };
      buf = [];
      start = i + 2;
    } else if (fence !== null && m && l.trim().startsWith(fence.mark) && l.trim().replace(/[`~]/g, '') === '') {
      parts.push({ lang: fence.lang, text: buf.join('\n'), line: start });
      fence = null;
      buf = [];
      start = i + 2;
    } else buf.push(l);
  });
  parts.push({ lang: fence ? fence.lang : null, text: buf.join('\n'), line: start });
  return parts;
}

/** Every match of the global regular expression `re` in a part's text, with the 1-based line it starts on. */
function* matchesWithLines(part, re) {
  for (const m of part.text.matchAll(re))
    yield { m, line: part.line + part.text.slice(0, m.index).split('\n').length - 1 };
}

/** Inline code spans of prose, with the 1-based line each starts on. */
export function inlineCode(part) {
  return [...matchesWithLines(part, /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g)].map(({ m, line }) => ({
    code: m[2].trim(),
    line,
  }));
}

/** The `forgetscope …` command lines of a document: inline spans and lines of shell blocks. */
export function commandClaims(text) {
  const out = [];
  for (const part of markdownParts(text)) {
    if (part.lang === null) {
      for (const { code, line } of inlineCode(part)) {
        if (/^(?:npx )?forgetscope \S/.test(code)) out.push({ command: code.replace(/\\\|/g, '|'), line });
      }
    } else if (['', 'sh', 'bash', 'shell', 'console'].includes(part.lang)) {
      const lines = part.text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        let l = lines[i].replace(/^\s*\$\s+/, '').trim();
        const line = part.line + i;
        while (l.endsWith('\\') && i + 1 < lines.length) l = l.slice(0, -1) + ' ' + lines[++i].trim();
        for (const piece of l.split(/&&|;|\|\||\$\(/)) {
          const m = /(?:^|\s)(?:npx )?(forgetscope \S[\s\S]*)$/.exec(piece.trim());
          if (m && /^\s*(?:npx )?forgetscope\b/.test(piece.trim())) out.push({ command: m[1], line });
        }
      }
    }
  }
  return out;
}

/** Paths in inline code and link targets, resolved from the repository root, with their lines. */
export function pathClaims(doc) {
  const out = [];
  const add = (raw, line, base) => {
    const p = raw
      .replace(/[#?].*$/, '')
      .replace(/:\d+(?::\d+)?$/, '')
      .replace(/[.,;:)]+$/, '');
    if (/[<>*{}…$[\]\s|]/.test(p) || p === '') return;
    const resolved = normalize(base === '.' ? p : join(base, p)).replace(/\\/g, '/');
    if (!PATH_PREFIXES.some((pre) => resolved === pre || resolved.startsWith(pre + '/'))) return;
    out.push({ path: resolved, line });
  };
  for (const part of markdownParts(doc.text)) {
    if (part.lang !== null) continue;
    for (const { code, line } of inlineCode(part)) {
      const m = /^((?:\.\.?\/)*(?:src|bench|test|scripts|fixtures|python|docs)\/\S+)$/.exec(code);
      if (m) add(m[1], line, '.');
    }
    for (const { m, line } of matchesWithLines(part, /\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(m[1]) || m[1].startsWith('#')) continue;
      add(m[1], line, dirname(doc.path));
    }
  }
  return out;
}

/** Names imported from the package in code blocks ({ name, entry, line }) and call-shaped inline names. */
export function symbolClaims(text) {
  const out = [];
  for (const part of markdownParts(text)) {
    if (part.lang === null) {
      for (const { code, line } of inlineCode(part)) {
        const m = /^([a-z][a-z0-9]*[A-Z][A-Za-z0-9]*)\(/.exec(code);
        if (m && !code.includes('.')) out.push({ name: m[1], entry: null, line });
      }
    } else if (['ts', 'typescript', 'js', 'javascript', 'mjs', 'tsx'].includes(part.lang)) {
      const re = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*['"](forgetscope(?:\/node)?)['"]/g;
      for (const { m, line } of matchesWithLines(part, re)) {
        for (const spec of m[1].split(',')) {
          const name = spec
            .trim()
            .replace(/^type\s+/, '')
            .split(/\s+as\s+/)[0];
          if (name) out.push({ name, entry: m[2], line, typeOnly: /^\s*type\s|import\s*type/.test(spec + m[0]) });
        }
      }
    }
  }
  return out;
}

/**
 * Default claims in prose: `{ key, value, line }` with key in policy | temperature | probes | autoSupport |
 * factorRank | optIn, or `{ key: 'flag', flag, value, line }` for "`--flag …`, default V".
 */
export function defaultClaims(text) {
  const out = [];
  for (const part of markdownParts(text)) {
    if (part.lang !== null) continue;
    // sentences, with the line they start on
    const flat = part.text;
    const sentences = flat.split(/(?<=[.!?])\s+(?=[A-Z`*(])|\n\s*\n|\n(?=\s*[-|] )/);
    let pos = 0;
    for (const s of sentences) {
      const at = flat.indexOf(s, pos);
      pos = at + s.length;
      const line = part.line + flat.slice(0, at).split('\n').length - 1;
      const one = s.replace(/\s+/g, ' ');
      const policyRes = [
        /default(?: replay)? policy,? (?:is |of [^`]*?)?\**`([\w-]+)`/gi,
        /default:? \**`([\w-]+)`\**/gi,
        /default is \**`([\w-]+)`\**/gi,
        /\*\*`([\w-]+)` is the default/gi,
        /defaults \(policy `([\w-]+)`/gi,
      ];
      if (/polic/i.test(one)) {
        for (const re of policyRes) for (const m of one.matchAll(re)) out.push({ key: 'policy', value: m[1], line });
      }
      const flagDefault = /`(--[a-z][a-z0-9-]*)(?: [^`]*)?`[^.;`]{0,25}?\bdefault:? `?([\w.-]+)`?/g;
      for (const m of one.matchAll(flagDefault))
        out.push({ key: 'flag', flag: m[1], value: m[2].replace(/\.+$/, ''), line });
      const d = /\bdefaults \(([^)]*)\)/.exec(one);
      if (d) {
        const inner = d[1];
        const num = (re, key) => {
          const m = re.exec(inner);
          if (m) out.push({ key, value: Number(m[1]), line });
        };
        num(/\bT = ([\d.]+)/, 'temperature');
        num(/\b(\d+) probes\b/, 'probes');
        num(/\bsupport (\d+)/, 'autoSupport');
        num(/\bfactor rank (\d+)/, 'factorRank');
      }
      if (/\bregistered but opt-in\b/.test(one)) {
        const names = [...one.split('are registered but opt-in')[0].matchAll(/`([\w-]+)`/g)].map((m) => m[1]);
        out.push({ key: 'optIn', value: names.sort().join(','), line });
      }
      const optInDefault = /all registered except the opt-in ([\w-]+(?:,? (?:and )?[\w-]+)*)/.exec(one);
      if (optInDefault) {
        const names = optInDefault[1].split(/,? and |, /).map((x) => x.trim());
        out.push({ key: 'optIn', value: names.sort().join(','), line });
      }
    }
  }
  return out;
}

/** Splits a command line into words, dropping brackets around optional parts. */
function words(command) {
  return command
    .replace(/\s[#|>].*$/, '')
    .replace(/[[\]]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/**
 * Runs every claim of `docs` against `facts` and returns `{ checked, problems }` (problems read
 * `file:line: what is wrong`).
 * facts: { root, program (commander), surface: { main: Set, node: Set }, defaults: { policy, temperature,
 * probes, autoSupport, factorRank, optIn: string[] }, policies: string[], methods: string[],
 * backends: string[], pythonCommands: Record<string, Set<string>> }.
 */
export function checkDocsClaims(docs, facts) {
  const problems = [];
  let checked = 0;
  const commands = new Map(facts.program.commands.map((c) => [c.name(), c]));
  const ignored = ignoredPrefixes(facts.root);
  for (const doc of docs) {
    const where = (line) => `${doc.path}:${line}`;
    for (const { command, line } of commandClaims(doc.text)) {
      const w = words(command.replace(/^npx /, ''));
      let name = w[1];
      if (name === undefined || name.startsWith('-') || /^[<A-Z…]/.test(name)) continue;
      checked++;
      let cmd = commands.get(name);
      const sub = cmd?.commands.find((c) => c.name() === w[2]);
      if (cmd && sub) {
        // a command with subcommands (`lora merge`): the flags are the subcommand's
        cmd = sub;
        name = `${name} ${w.splice(2, 1)[0]}`;
      }
      const py = facts.pythonCommands[name];
      if (!cmd && !py) {
        problems.push(`${where(line)}: \`forgetscope ${name}\` is not a command of the CLI`);
        continue;
      }
      const longs = new Set(['--help', '-h']);
      if (cmd) {
        for (const o of cmd.options) {
          if (o.long) longs.add(o.long);
          if (o.short) longs.add(o.short);
        }
      } else for (const f of py) longs.add(f);
      for (let k = 2; k < w.length; k++) {
        const flag = w[k].split('=')[0].replace(/[,.;:)]+$/, '');
        if (!/^--?[a-z]/.test(flag)) continue;
        checked++;
        if (!longs.has(flag)) {
          problems.push(`${where(line)}: \`forgetscope ${name}\` has no option ${flag}`);
          continue;
        }
        const value = w[k].includes('=') ? w[k].split('=')[1] : w[k + 1];
        if (value === undefined || /^[-<A-Z…]/.test(value) || value.includes('|')) continue;
        const choices =
          flag === '--policy'
            ? facts.policies
            : flag === '--method' || flag === '--methods'
              ? facts.methods
              : flag === '--backend'
                ? facts.backends
                : null;
        if (!choices || !cmd) continue;
        for (const v of flag === '--methods' ? value.split(',') : [value]) {
          checked++;
          if (v !== 'all' && !choices.includes(v))
            problems.push(`${where(line)}: ${flag} ${v} is not one of the choices`);
        }
      }
    }
    for (const { path, line } of pathClaims(doc)) {
      if (ignored.some((p) => path === p || path.startsWith(p + '/'))) continue;
      checked++;
      if (!existsSync(join(facts.root, path))) problems.push(`${where(line)}: ${path} does not exist`);
    }
    for (const { name, entry, line, typeOnly } of symbolClaims(doc.text)) {
      if (entry === null && NOT_API.has(name)) continue;
      checked++;
      const inMain = facts.surface.main.has(name);
      const inNode = facts.surface.node.has(name);
      // A call-shaped name in prose may live in either entry point; an import names its entry point.
      if (entry === null ? inMain || inNode : entry === 'forgetscope/node' ? inMain || inNode : inMain) continue;
      // Types are not in the runtime surface: a type-only or capitalised name may be an exported type.
      if ((typeOnly || /^[A-Z][a-z]/.test(name)) && facts.types.has(name)) continue;
      problems.push(
        `${where(line)}: \`${name}\` is not exported by ${entry ?? 'forgetscope'}${inNode ? ' (only forgetscope/node)' : ''}`,
      );
    }
    for (const { key, value, line, flag } of defaultClaims(doc.text)) {
      if (key === 'flag') {
        const defaults = flagDefaults(facts.program, flag);
        if (defaults.size === 0 || /^(the|a|an|none|off|on)$/.test(value)) continue;
        checked++;
        if (!defaults.has(value)) {
          problems.push(
            `${where(line)}: ${flag} is stated to default to ${value}, the CLI's default is ${[...defaults].join(' or ')}`,
          );
        }
        continue;
      }
      if (key === 'policy' && !facts.policies.includes(value)) continue;
      checked++;
      const want = key === 'optIn' ? [...facts.defaults.optIn].sort().join(',') : facts.defaults[key];
      if (value !== want)
        problems.push(`${where(line)}: the default ${key} is stated as ${value}, the code's is ${want}`);
    }
  }
  return { checked, problems };
}

/** The defaults the CLI gives a long option across its commands: commander's default or a "(default X)" in its help. */
function flagDefaults(program, flag) {
  const out = new Set();
  const visit = (cmd) => {
    for (const o of cmd.options) {
      if (o.long !== flag) continue;
      if (o.defaultValue !== undefined) out.add(String(o.defaultValue));
      else {
        const m = /\(default:? ([\w.-]+)\)/.exec(o.description ?? '');
        if (m) out.add(m[1]);
      }
    }
    for (const c of cmd.commands) visit(c);
  };
  visit(program);
  return out;
}

/** Top-level paths git ignores (build outputs and downloaded data the docs may name). */
function ignoredPrefixes(root) {
  const text = existsSync(join(root, '.gitignore')) ? readFileSync(join(root, '.gitignore'), 'utf8') : '';
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.includes('*'))
    .map((l) => relative('.', l.replace(/^\//, '').replace(/\/$/, '')));
}

/** Reads test/package/surface.txt into the runtime names of the two entry points. */
export function readSurface(root) {
  const main = new Set();
  const node = new Set();
  let target = main;
  for (const l of readFileSync(join(root, 'test/package/surface.txt'), 'utf8').split('\n')) {
    if (l.startsWith('# forgetscope/node')) target = node;
    else if (l && !l.startsWith('#')) target.add(l.trim());
  }
  return { main, node };
}

/** The long options the Python `forgetscope collect` command defines (its argparse source). */
export function pythonCollectFlags(root) {
  const src = readFileSync(join(root, 'python/forgetscope/collect_cli.py'), 'utf8');
  return new Set([...src.matchAll(/add_argument\(\s*"(--[a-z0-9-]+)"/g)].map((m) => m[1]));
}

/** Type names exported from the entry points' sources (`export type { … }` / `export interface`), for imports of types. */
export function exportedTypes(root) {
  const names = new Set();
  for (const f of ['src/index.ts', 'src/node.ts']) {
    const src = readFileSync(join(root, f), 'utf8');
    for (const m of src.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
      for (const spec of m[1].split(',')) {
        const n = spec
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)
          .pop();
        if (n) names.add(n.trim());
      }
    }
  }
  return names;
}

/**
 * The facts the claims are checked against, from the loaded package modules: `api` is the
 * `forgetscope` entry point, `buildProgram` the CLI's program builder.
 */
export function factsFrom(root, api, buildProgram) {
  const silent = { out() {}, err() {}, printJson() {}, progress: () => () => {}, warn() {}, argv: [] };
  return {
    root,
    program: buildProgram(silent),
    surface: readSurface(root),
    types: exportedTypes(root),
    defaults: {
      policy: api.resolvePolicy().policy.name,
      temperature: api.DEFAULT_TEMPERATURE,
      probes: api.DEFAULT_PROBES,
      autoSupport: api.DEFAULT_AUTO_SUPPORT,
      factorRank: api.DEFAULT_FACTOR_RANK,
      optIn: [...api.OPT_IN_METHODS],
    },
    policies: [...api.REPLAY_POLICY_NAMES],
    methods: Object.keys(api.completionMethods),
    backends: ['auto', 'cpu', 'webgpu'],
    pythonCommands: { collect: pythonCollectFlags(root) },
  };
}
