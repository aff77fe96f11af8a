import { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { ForgetscopeError } from '../../util/errors.js';
import { itemAt } from '../../util/checked.js';

/** Options of `parseRecipeTable`. */
export interface RecipeTableOptions {
  /** File name for error messages. */
  file?: string;
  /** Field delimiter (default ','). */
  delimiter?: string;
  /** Recipe of every row when the table has no `recipe` column (e.g. a full fine-tuning long table). */
  defaultRecipe?: string;
  /** Keep only these tasks (e.g. the tasks that have recipe variants). */
  tasks?: ReadonlySet<string>;
}

/** What `parseRecipeTable` read: one matrix per recipe, and the read report. */
export interface RecipeTable {
  recipes: Map<string, ForgettingMatrix>;
  report: { rows: number; kept: number; dropped: Record<string, number> };
}

/** Splits one delimited line into fields (RFC 4180 quotes; no embedded newlines in this small table reader). */
function splitLine(line: string, delim: string, where: { file?: string; line: number }): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= line.length)
          throw new ForgetscopeError('parse', 'unterminated quoted field', { ...where, column: out.length + 1 });
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            s += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += line[i++];
      }
      out.push(s);
      if (i < line.length && line[i] !== delim)
        throw new ForgetscopeError('parse', 'text after a closing quote', { ...where, column: out.length });
      i++;
    } else {
      const j = line.indexOf(delim, i);
      const end = j < 0 ? line.length : j;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

/**
 * Parses a long table of per-recipe forgetting — columns `task`, `recipe`, `example` and either
 * `delta` or `nll_before` + `nll_after` (extra columns ignored) — into one forgetting matrix per recipe
 * (tasks × examples, missing cells explicit). Bad numbers and repeated cells are errors naming
 * file:line:column; rows outside `tasks` are dropped and counted.
 * @example parseRecipeTable('task,recipe,example,delta\nt1,full,e1,0.2\n').recipes.get('full')
 */
export function parseRecipeTable(text: string, options: RecipeTableOptions = {}): RecipeTable {
  const delim = options.delimiter ?? ',';
  const file = options.file;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let headerLine = 0;
  while (lines[headerLine]?.trim() === '') headerLine++;
  const headerText = lines[headerLine];
  if (headerText === undefined) throw new ForgetscopeError('empty', 'the table is empty', { file, line: 1, column: 1 });
  const header = splitLine(headerText, delim, { file, line: headerLine + 1 }).map((h) => h.trim());
  const col = (name: string) => header.indexOf(name);
  const cTask = col('task');
  const cRecipe = col('recipe');
  const cExample = col('example');
  const cDelta = col('delta');
  const cBefore = col('nll_before');
  const cAfter = col('nll_after');
  const missing: string[] = [];
  if (cTask < 0) missing.push('"task"');
  if (cExample < 0) missing.push('"example"');
  if (cRecipe < 0 && options.defaultRecipe === undefined) missing.push('"recipe" (or give a default recipe)');
  if (cDelta < 0 && (cBefore < 0 || cAfter < 0)) missing.push('"delta" (or "nll_before" and "nll_after")');
  if (missing.length)
    throw new ForgetscopeError(
      'missing-column',
      `missing column ${missing.join(', ')}; the header has ${header.map((h) => JSON.stringify(h)).join(', ')}`,
      { file, line: headerLine + 1, column: 1 },
    );
  type Cells = { tasks: Map<string, number>; examples: Map<string, number>; cells: Map<string, number> };
  const byRecipe = new Map<string, Cells>();
  const report = { rows: 0, kept: 0, dropped: {} as Record<string, number> };
  const num = (fields: string[], c: number, line: number): number => {
    const s = (fields[c] ?? '').trim();
    const v = s === '' ? NaN : Number(s);
    if (!Number.isFinite(v))
      throw new ForgetscopeError('parse', `${JSON.stringify(s)} in column "${header[c]}" is not a finite number`, {
        file,
        line,
        column: c + 1,
      });
    return v;
  };
  for (const [li, raw] of lines.entries()) {
    if (li <= headerLine || raw.trim() === '') continue;
    const line = li + 1;
    report.rows++;
    const f = splitLine(raw, delim, { file, line });
    if (f.length < header.length)
      throw new ForgetscopeError('parse', `row has ${f.length} fields, the header ${header.length}`, {
        file,
        line,
        column: f.length + 1,
      });
    // f has at least the header's fields, and cTask, cExample, cRecipe (when ≥ 0) are header columns
    const task = itemAt(f, cTask, 'field').trim();
    if (options.tasks && !options.tasks.has(task)) {
      report.dropped['task not selected'] = (report.dropped['task not selected'] ?? 0) + 1;
      continue;
    }
    const recipe = cRecipe >= 0 ? itemAt(f, cRecipe, 'field').trim() : (options.defaultRecipe ?? '');
    const example = itemAt(f, cExample, 'field').trim();
    if (task === '') throw new ForgetscopeError('parse', 'empty task id', { file, line, column: cTask + 1 });
    if (recipe === '') throw new ForgetscopeError('parse', 'empty recipe', { file, line, column: cRecipe + 1 });
    if (example === '') throw new ForgetscopeError('parse', 'empty example id', { file, line, column: cExample + 1 });
    const z = cDelta >= 0 ? num(f, cDelta, line) : num(f, cAfter, line) - num(f, cBefore, line);
    let r = byRecipe.get(recipe);
    if (!r) byRecipe.set(recipe, (r = { tasks: new Map(), examples: new Map(), cells: new Map() }));
    if (!r.tasks.has(task)) r.tasks.set(task, r.tasks.size);
    if (!r.examples.has(example)) r.examples.set(example, r.examples.size);
    const key = `${task}\u0000${example}`;
    if (r.cells.has(key))
      throw new ForgetscopeError('duplicate', `repeated cell (task ${task}, recipe ${recipe}, example ${example})`, {
        file,
        line,
        column: cExample + 1,
      });
    r.cells.set(key, z);
    report.kept++;
  }
  const recipes = new Map<string, ForgettingMatrix>();
  for (const [name, r] of byRecipe) {
    const m = r.tasks.size;
    const n = r.examples.size;
    const values = new Float64Array(m * n).fill(NaN);
    const observed = new Uint8Array(m * n);
    for (const [key, v] of r.cells) {
      const [t, e] = key.split('\u0000') as [string, string];
      const ti = r.tasks.get(t);
      const ei = r.examples.get(e);
      if (ti === undefined || ei === undefined)
        throw new ForgetscopeError('internal', 'recipe cell of an unknown task or example');
      const k = ti * n + ei;
      values[k] = v;
      observed[k] = 1;
    }
    recipes.set(
      name,
      new ForgettingMatrix({ values, observed, taskIds: [...r.tasks.keys()], exampleIds: [...r.examples.keys()] }),
    );
  }
  return { recipes, report };
}
