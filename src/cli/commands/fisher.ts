import type { Command } from 'commander';
import type { CommandModule } from './types.js';
import { ForgetscopeError } from '../../util/errors.js';
import { readSafetensorsFile } from '../../io/node/safetensors.js';
import type { Tensor } from '../../io/safetensors/safetensors.js';
import { compareFisher } from '../../methods/fisher/compareFisher.js';
import { forgettingConfidence, rankByConfidence } from '../../methods/fisher/forgettingConfidence.js';
import { checkTensorValues } from '../../methods/shared/checkValues.js';
import { checkInputFile } from '../readText.js';
import {
  addCommand,
  aliased,
  badFlag,
  parseNumber,
  parseNumberIn,
  parseChoice,
  parsePositiveNumber,
} from '../flags.js';
import { textTable as table } from '../../util/textTable.js';
import { itemAt } from '../../util/checked.js';
import { shape2D } from '../inputs.js';

interface FisherFlags {
  topFraction: string;
  top?: string;
  update?: string;
  lambda: string;
  tensors?: string;
  grads?: string;
  eta: string;
  variant: string;
  json?: boolean;
}

function concat(ts: readonly Tensor[]): Float64Array {
  const out = new Float64Array(ts.reduce((s, t) => s + t.data.length, 0));
  let at = 0;
  for (const t of ts) {
    out.set(t.data, at);
    at += t.data.length;
  }
  return out;
}

/**
 * `forgetscope fisher A [B]` — diagonal-Fisher statistics per tensor and overall, top-q overlap and
 * cosine between two tasks, the EWC penalty of an update (`--update`), and the forgetting-confidence
 * ranking of exported per-example gradients (`--grads`, seed 002).
 */
export const fisherCommand: CommandModule = {
  register(program, ctx) {
    addCommand(
      program,
      'fisher',
      'diagonal-Fisher statistics, top-q importance overlap and cosine between two tasks, EWC penalty, forgetting confidence',
      ['<a>', "task A's Fisher diagonal (safetensors, one tensor per parameter)"],
      ['[b]', "task B's Fisher diagonal (same names and shapes)"],
    )
      .option('--top-fraction <q>', 'fraction of entries in the top-importance sets', '0.01')
      .option('--top <q>', 'alias of --top-fraction')
      .option('--update <file>', 'an update ΔW (same names) to price with the EWC penalty under A')
      .option('--lambda <l>', 'EWC strength λ in (λ/2)ΣF·Δ²', '1')
      .option('--tensors <regex>', 'only tensors whose name matches')
      .option(
        '--grads <file>',
        'per-example gradients: tensor "G" [N × P], optional "fisher" [P] (else A flattened) and "gL" [P]',
      )
      .option('--eta <eta>', 'step size η of the intended update in the forgetting confidence', '1')
      .option('--variant <v>', 'forgetting confidence: a (anchor θ0, default) or b (anchor θ0 − η·gL; needs gL)', 'a')
      .option('--json', 'print one JSON object')
      .action(async (a: string, b: string | undefined, flags: FisherFlags, command: Command) => {
        const top = aliased<string>(command, flags as unknown as Record<string, unknown>, 'topFraction', 'top', [
          '--top-fraction',
          '--top',
        ]);
        if (top === undefined) throw new ForgetscopeError('internal', '--top-fraction has no value or default');
        const q = parseNumberIn(
          top,
          flags.top !== undefined && top === flags.top ? '--top' : '--top-fraction',
          0,
          1,
          true,
        );
        const lambda = parseNumber(flags.lambda, '--lambda');
        if (lambda < 0) throw badFlag('--lambda', 'a number ≥ 0', flags.lambda);
        const eta = parsePositiveNumber(flags.eta, '--eta');
        parseChoice(flags.variant, '--variant', ['a', 'b'] as const);
        for (const path of [a, b, flags.update, flags.grads]) if (path !== undefined) await checkInputFile(path);
        const sel = flags.tensors !== undefined ? { select: flags.tensors } : {};
        const ta = await readSafetensorsFile(a, { ...sel, precision: 'float64' });
        if (ta.length === 0)
          throw new ForgetscopeError('input', `no tensor${flags.tensors ? ` matching /${flags.tensors}/` : ''}`, {
            file: a,
          });
        checkTensorValues(ta, 'Fisher diagonal', { nonNegative: true, where: { file: a } });
        const tb = b ? await readSafetensorsFile(b, { ...sel, precision: 'float64' }) : undefined;
        if (tb && b) checkTensorValues(tb, 'Fisher diagonal', { nonNegative: true, where: { file: b } });
        const update = flags.update;
        const tu = update ? await readSafetensorsFile(update, { ...sel, precision: 'float64' }) : undefined;
        if (tu && update) checkTensorValues(tu, 'update', { where: { file: update } });
        const cmp = compareFisher(ta, tb, { top: q, lambda, ...(tu ? { update: tu } : {}) });
        const result: Record<string, unknown> = {
          tensors: cmp.tensors.map((r) => ({ ...r, jaccard: r.jaccard ?? NaN, cosine: r.cosine ?? NaN })),
          overall: { ...cmp.overall, jaccard: cmp.overall.jaccard ?? NaN, cosine: cmp.overall.cosine ?? NaN },
          top: q,
        };
        if (flags.grads) {
          const g = await readSafetensorsFile(flags.grads, { select: '^(G|fisher|gL)$', precision: 'float64' });
          const G = g.find((t) => t.name === 'G');
          const gShape = G && shape2D(G.shape);
          if (!G || !gShape)
            throw new ForgetscopeError('input', 'expected a 2-D tensor "G" [N × P] of per-example gradients', {
              file: flags.grads,
            });
          checkTensorValues(
            g.filter((t) => t.name !== 'fisher'),
            'gradients',
            { where: { file: flags.grads } },
          );
          const own = g.find((t) => t.name === 'fisher');
          if (own) checkTensorValues([own], 'Fisher diagonal', { nonNegative: true, where: { file: flags.grads } });
          const F = own ? own.data : concat(ta);
          if (F.length !== G.shape[1]) {
            throw new ForgetscopeError(
              'shape',
              `gradients have P = ${G.shape[1]} entries but the Fisher has ${F.length}; export a "fisher" tensor in the gradient space`,
              { file: flags.grads },
            );
          }
          const gL = g.find((t) => t.name === 'gL');
          if (flags.variant === 'b' && !gL)
            throw new ForgetscopeError(
              'usage',
              'variant b needs a tensor "gL" (the learning task\'s mean gradient) in the gradient file',
              { file: flags.grads },
            );
          const fc = forgettingConfidence({ rows: gShape[0], cols: gShape[1], data: G.data }, F, {
            eta,
            ...(flags.variant === 'b' && gL ? { gL: gL.data } : {}),
          });
          result['confidence'] = { variant: flags.variant, eta, ranking: rankByConfidence(fc), fc };
        }
        if (flags.json) {
          ctx.printJson(result);
          return;
        }
        const fmt = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '' : x.toPrecision(4));
        ctx.out(
          table(
            [
              'tensor',
              'size',
              'mean F(A)',
              'max F(A)',
              ...(tb ? ['mean F(B)', `jaccard top ${q}`, 'cosine'] : []),
              ...(tu ? ['EWC'] : []),
            ],
            [...cmp.tensors, { ...cmp.overall, name: '(overall)' }].map((r) => [
              r.name,
              String(r.size),
              fmt(r.meanA),
              fmt(r.maxA),
              ...(tb ? [fmt(r.meanB), fmt(r.jaccard), fmt(r.cosine)] : []),
              ...(tu ? [fmt(r.ewc)] : []),
            ]),
          ),
        );
        if (result['confidence']) {
          const c = result['confidence'] as { ranking: Int32Array; fc: Float64Array };
          ctx.out(
            `\nforgetting confidence (variant ${flags.variant}), top 10: ${Array.from(c.ranking.slice(0, 10), (i) => `${i} (${itemAt(c.fc, i, 'ranked gradient').toPrecision(3)})`).join(', ')}\n`,
          );
        }
      });
  },
};
