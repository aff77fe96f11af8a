import { extname } from 'node:path';
import type { CommandModule } from './types.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { ForgetscopeError } from '../../util/errors.js';
import { compareRecipes } from '../../methods/narrow-tuning/compareRecipes.js';
import { parseRecipeTable } from '../../methods/narrow-tuning/recipeTable.js';
import { massShift, tokenClassMass, tokenLogProbShift } from '../../methods/narrow-tuning/tokenBias.js';
import { pearson } from '../../analysis/correlations.js';
import { readSafetensorsFile } from '../../io/node/safetensors.js';
import { addCommand, parseNumber } from '../flags.js';
import { readExampleIds } from '../inputs.js';
import { readText } from '../readText.js';
import { textTable as table } from '../../util/textTable.js';
import { itemAt } from '../../util/checked.js';

interface RecipesFlags {
  json?: boolean;
  tau: string;
  defaultRecipe: string;
  commonTasks?: boolean;
  tokensBase?: string;
  tokens: string[];
  heldout?: string;
}

/** Per-recipe output-bias figures from teacher-forced token exports. */
interface BiasRow {
  recipe: string;
  massBefore: number;
  massAfter: number;
  massShift: number;
  nllIncrease: number;
  heldOutForgetting: number;
}

async function readTokens(
  path: string,
): Promise<{ logp: Float32Array; offsets: Int32Array; logMass: Float32Array | null }> {
  const t = await readSafetensorsFile(path, { select: '^(logp|offsets|num_logmass)$' });
  const get = (name: string) => t.find((x) => x.name === name);
  const logp = get('logp');
  const offsets = get('offsets');
  if (!logp || !offsets)
    throw new ForgetscopeError(
      'input',
      'token export must hold tensors "logp" [T] and "offsets" [N+1] (and "num_logmass" [T] for the class mass)',
      { file: path },
    );
  const mass = get('num_logmass');
  return {
    logp: Float32Array.from(logp.data),
    offsets: Int32Array.from(offsets.data),
    logMass: mass ? Float32Array.from(mass.data) : null,
  };
}

function meanOver(z: ForgettingMatrix, keep: Set<string> | null): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < z.rows; i++) {
    for (let j = 0; j < z.cols; j++) {
      if (!z.isObserved(i, j) || (keep && !keep.has(itemAt(z.exampleIds, j, 'column')))) continue;
      s += z.get(i, j);
      c++;
    }
  }
  return c ? s / c : NaN;
}

/**
 * `forgetscope recipes <input...>` — compares fine-tuning recipes (seed 000) from long tables with a
 * `recipe` column; tables without one count as `--default-recipe`. Optional token-level output-bias
 * shift from teacher-forced exports (`--tokens-base`, `--tokens recipe=file`).
 */
export const recipesCommand: CommandModule = {
  register(program, ctx) {
    addCommand(
      program,
      'recipes',
      'compare fine-tuning recipes: per recipe mean forgetting and fraction forgotten, pairwise mean difference and Spearman',
      ['<input...>', 'long tables (csv/tsv): task, recipe, example, nll_before, nll_after (or delta)'],
    )
      .option('--json', 'print one JSON object')
      .option('--tau <t>', 'a cell counts as forgotten when Z > tau', '0.3')
      .option('--default-recipe <name>', 'recipe of tables without a recipe column', 'full')
      .option(
        '--common-tasks',
        'keep only the tasks every recipe has (e.g. full fine-tuning rows of the variant tasks)',
      )
      .option(
        '--tokens-base <file>',
        'teacher-forced token export of the base model (safetensors: logp, offsets, num_logmass)',
      )
      .option(
        '--tokens <recipe=file>',
        'token export after a recipe (repeatable)',
        (v: string, acc: string[]) => [...acc, v],
        [] as string[],
      )
      .option(
        '--heldout <file>',
        'held-out example ids (a JSON list, {"example_ids": [...]}, or one per line) for the bias correlation',
      )
      .action(async (inputs: string[], flags: RecipesFlags) => {
        const tau = parseNumber(flags.tau, '--tau');
        const recipes = new Map<string, ForgettingMatrix>();
        const reports: Record<string, { rows: number; kept: number; dropped: Record<string, number> }> = {};
        for (const input of inputs) {
          const text = await readText(input);
          const { recipes: part, report } = parseRecipeTable(text, {
            file: input,
            delimiter: extname(input).toLowerCase() === '.tsv' ? '\t' : ',',
            defaultRecipe: flags.defaultRecipe,
          });
          reports[input] = report;
          ctx.err(
            `${input}: ${report.rows} rows read, ${report.kept} kept${Object.keys(report.dropped).length ? `, dropped ${JSON.stringify(report.dropped)}` : ''}\n`,
          );
          for (const [name, z] of part) {
            if (recipes.has(name))
              throw new ForgetscopeError('input', `recipe "${name}" appears in more than one input`, { file: input });
            recipes.set(name, z);
          }
        }
        if (flags.commonTasks) {
          const sets = [...recipes.values()].map((z) => new Set(z.taskIds));
          const common = [...(sets[0] ?? [])].filter((t) => sets.every((s) => s.has(t)));
          if (common.length === 0)
            throw new ForgetscopeError('input', 'no task is shared by every recipe (--common-tasks)');
          for (const [name, z] of recipes) recipes.set(name, z.selectRows(common));
        }
        const cmp = compareRecipes(Object.fromEntries(recipes), { tau });
        const recipeOf = (name: string): ForgettingMatrix => {
          const z = recipes.get(name);
          if (!z) throw new ForgetscopeError('internal', `compareRecipes returned an unknown recipe "${name}"`);
          return z;
        };
        const result: Record<string, unknown> = {
          recipes: cmp.perRecipe.map((r) => ({
            recipe: r.name,
            tasks: r.tasks,
            mean: r.mean,
            fractionForgotten: r.fracAbove,
            entries: r.entries,
            rowMeans: Object.fromEntries(recipeOf(r.name).taskIds.map((t, i) => [t, r.rowMeans[i] ?? Number.NaN])),
          })),
          pairwise: cmp.pairwise.map((p) => ({
            a: p.a,
            b: p.b,
            meanDiff: p.meanDiff,
            spearman: p.spearman,
            shared: p.shared,
          })),
          tau,
          read: reports,
        };
        if (flags.tokens.length > 0) {
          if (!flags.tokensBase)
            throw new ForgetscopeError('usage', "--tokens needs --tokens-base (the base model's export)");
          const base = await readTokens(flags.tokensBase);
          const heldout = flags.heldout ? new Set(await readExampleIds(flags.heldout)) : null;
          const bias: BiasRow[] = [];
          for (const spec of flags.tokens) {
            const at = spec.indexOf('=');
            if (at <= 0)
              throw new ForgetscopeError('usage', `--tokens expects recipe=file, got ${JSON.stringify(spec)}`);
            const recipe = spec.slice(0, at);
            const path = spec.slice(at + 1);
            const tuned = await readTokens(path);
            const z = recipes.get(recipe);
            if (!z)
              throw new ForgetscopeError(
                'usage',
                `--tokens names recipe "${recipe}", which is not in the tables (${[...recipes.keys()].join(', ')})`,
              );
            const shift = tokenLogProbShift(base, tuned);
            let mb = NaN;
            let ma = NaN;
            let ms = NaN;
            if (base.logMass && tuned.logMass) {
              const b = tokenClassMass(base.logMass, base.offsets);
              const a = tokenClassMass(tuned.logMass, tuned.offsets);
              ms = massShift(b, a).mean;
              mb = b.reduce((s, v) => s + v, 0) / b.length;
              ma = a.reduce((s, v) => s + v, 0) / a.length;
            }
            const inc = shift.perExampleNllIncrease;
            bias.push({
              recipe,
              massBefore: mb,
              massAfter: ma,
              massShift: ms,
              nllIncrease: inc.reduce((s, v) => s + v, 0) / inc.length,
              heldOutForgetting: meanOver(z, heldout),
            });
          }
          result['bias'] = bias;
          result['biasCorrelation'] = pearson(
            bias.map((b) => b.massShift),
            bias.map((b) => b.heldOutForgetting),
          );
        }
        if (flags.json) {
          ctx.printJson(result);
          return;
        }
        ctx.out(`recipes (forgotten = Z > ${tau})\n`);
        ctx.out(
          table(
            ['recipe', 'tasks', 'mean Z', 'fraction forgotten'],
            cmp.perRecipe.map((r) => [r.name, String(r.tasks), r.mean.toFixed(4), r.fracAbove.toFixed(3)]),
          ),
        );
        ctx.out('\npairwise (a − b over shared cells)\n');
        ctx.out(
          table(
            ['a', 'b', 'mean diff', 'spearman', 'cells'],
            cmp.pairwise.map((p) => [p.a, p.b, p.meanDiff.toFixed(4), p.spearman.toFixed(3), String(p.shared)]),
          ),
        );
        if (result['bias']) {
          ctx.out('\noutput-bias shift (teacher-forced)\n');
          ctx.out(
            table(
              ['recipe', 'class mass before', 'after', 'shift', 'NLL increase', 'held-out Z'],
              (result['bias'] as BiasRow[]).map((b) => [
                b.recipe,
                b.massBefore.toFixed(5),
                b.massAfter.toFixed(5),
                b.massShift.toFixed(5),
                b.nllIncrease.toFixed(4),
                b.heldOutForgetting.toFixed(4),
              ]),
            ),
          );
          ctx.out(
            `correlation of the class-mass shift with held-out forgetting: ${(result['biasCorrelation'] as number).toFixed(3)}\n`,
          );
        }
      });
  },
};
