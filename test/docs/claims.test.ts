import * as api from '../../src/index.js';
import { buildProgram } from '../../src/cli/main.js';
import {
  checkDocsClaims,
  commandClaims,
  defaultClaims,
  docFiles,
  factsFrom,
  pathClaims,
  symbolClaims,
} from '../../scripts/docs-claims.js';

const root = process.cwd();
const facts = factsFrom(root, api, buildProgram);

describe('the claims of README.md and docs/*.md', () => {
  test('hold against the code (commands, flags, paths, public names, defaults)', () => {
    const { checked, problems } = checkDocsClaims(docFiles(root), facts);
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  });
});

describe('the checker finds drift', () => {
  const doc = (text: string) => [{ path: 'docs/x.md', text }];
  const check = (text: string) => checkDocsClaims(doc(text), facts).problems;

  test('an unknown command, an unknown flag and a bad --policy value', () => {
    expect(check('Run `forgetscope frobnicate x`.')).toEqual([
      'docs/x.md:1: `forgetscope frobnicate` is not a command of the CLI',
    ]);
    expect(check('```sh\nforgetscope replay in.csv \\\n  --polcy topk\n```')).toEqual([
      'docs/x.md:2: `forgetscope replay` has no option --polcy',
    ]);
    expect(check('`forgetscope replay in.csv --policy nosuch`')).toEqual([
      'docs/x.md:1: --policy nosuch is not one of the choices',
    ]);
    expect(check('`forgetscope evaluate in --methods lowrank,nope [--json]`')).toEqual([
      'docs/x.md:1: --methods nope is not one of the choices',
    ]);
    expect(check('`forgetscope replay in.csv --policy topk --json`, `forgetscope collect --task T`')).toEqual([]);
  });

  test('a missing path, in code or as a relative link', () => {
    expect(check('See `src/nowhere.ts` and [it](../src/cli/main.ts) and [gone](../test/gone.test.ts).')).toEqual([
      'docs/x.md:1: src/nowhere.ts does not exist',
      'docs/x.md:1: test/gone.test.ts does not exist',
    ]);
  });

  test('a name not in the public surface, imported or called', () => {
    const text =
      "```ts\nimport { planOfflineReplay, notARealExport } from 'forgetscope';\n```\nCall `fitLowrankFresh(x)`.";
    expect(check(text)).toEqual([
      'docs/x.md:2: `notARealExport` is not exported by forgetscope',
      'docs/x.md:4: `fitLowrankFresh` is not exported by forgetscope',
    ]);
  });

  test('a stated default that differs from the code', () => {
    const other = facts.policies.find((p) => p !== facts.defaults.policy) ?? '';
    expect(check(`The default policy is \`${other}\`.`)).toEqual([
      `docs/x.md:1: the default policy is stated as ${other}, the code's is ${facts.defaults.policy}`,
    ]);
    expect(check('The defaults (policy `topk`, T = 0.5, 31 probes, support 4, factor rank 5) live here.')).toEqual([
      ...(facts.defaults.policy === 'topk'
        ? []
        : [`docs/x.md:1: the default policy is stated as topk, the code's is ${facts.defaults.policy}`]),
      "docs/x.md:1: the default temperature is stated as 0.5, the code's is 0.1",
      "docs/x.md:1: the default probes is stated as 31, the code's is 30",
    ]);
    expect(check('Pick the rule with `--energy`, default 0.8.')).toEqual([
      "docs/x.md:1: --energy is stated to default to 0.8, the CLI's default is 0.9",
    ]);
    expect(check('`--backend auto|cpu|webgpu`, default `auto`.')).toEqual([]);
    expect(check('`soft-impute` is registered but opt-in.')).toEqual([
      "docs/x.md:1: the default optIn is stated as soft-impute, the code's is ensemble,soft-impute",
    ]);
  });
});

describe('claim extraction (worked by hand)', () => {
  test('commands from inline code and continued shell lines', () => {
    const text = 'Use `forgetscope info a.csv --json`.\n\n```sh\n$ forgetscope analyze x \\\n  --rank 3 | head\n```';
    expect(commandClaims(text)).toEqual([
      { command: 'forgetscope info a.csv --json', line: 1 },
      { command: 'forgetscope analyze x  --rank 3 | head', line: 4 },
    ]);
  });

  test('paths, symbols and defaults', () => {
    expect(
      pathClaims({ path: 'docs/guides/g.md', text: '[a](../../src/x.ts#L3) `bench/run.js:12` `src/<layer>/`' }),
    ).toEqual([
      { path: 'bench/run.js', line: 1 },
      { path: 'src/x.ts', line: 1 },
    ]);
    expect(symbolClaims("```ts\nimport { type A, b as c } from 'forgetscope/node';\n```").map((s) => s.name)).toEqual([
      'A',
      'b',
    ]);
    expect(defaultClaims('the default policy, `topk` (see below)')).toEqual([
      { key: 'policy', value: 'topk', line: 1 },
    ]);
  });
});
