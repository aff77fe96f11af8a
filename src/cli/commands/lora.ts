import type { CommandModule } from './types.js';
import { ForgetscopeError } from '../../util/errors.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../../io/node/safetensors.js';
import { bestTradeoff, lossBarrier } from '../../methods/interpolated-lora/barrier.js';
import { mergeAdapters } from '../../methods/interpolated-lora/mergeAdapters.js';
import { readNumericColumns } from '../../io/csv/readNumericColumns.js';
import {
  addBackendOption,
  addCommand,
  backendFromFlag,
  backendJson,
  parseNumberIn,
  parsePositiveNumber,
} from '../flags.js';
import { checkOutFile } from '../outputs.js';
import { checkTensorValues } from '../../methods/shared/checkValues.js';
import { checkInputFile, readText } from '../readText.js';
import { textTable as table } from '../../util/textTable.js';
import { shape2D } from '../inputs.js';

interface BarrierFlags {
  weight: string;
  json?: boolean;
}

interface MergeFlags {
  slow: string;
  fast: string;
  lambda: string;
  out: string;
  force?: boolean;
  loraAlpha?: string;
  backend?: string;
  json?: boolean;
}

/**
 * `forgetscope lora barrier|merge` — interpolated LoRA (seed 004): the loss barrier and best
 * trade-off along an interpolation path, and the EMA merge of a slow and a fast adapter with its
 * factor merge error.
 */
export const loraCommand: CommandModule = {
  register(program, ctx) {
    const lora = addCommand(program, 'lora', 'interpolated LoRA: loss barrier along a path, EMA merge of adapters');
    addCommand(lora, 'barrier', 'loss barrier and best trade-off point along an interpolation path', [
      '<losses>',
      'CSV with columns alpha,loss (optionally loss_old,loss_new for the trade-off)',
    ])
      .option('--weight <w>', 'weight of the old task in the trade-off score w·L_old + (1−w)·L_new', '0.5')
      .option('--json', 'print one JSON object')
      .action(async (path: string, flags: BarrierFlags) => {
        const w = parseNumberIn(flags.weight, '--weight', 0, 1);
        const cols = readNumericColumns(await readText(path), { file: path });
        const alpha = cols.get('alpha');
        const loss = cols.get('loss');
        if (!alpha || !loss)
          throw new ForgetscopeError(
            'missing-column',
            `expected columns "alpha" and "loss"; the header has ${[...cols.keys()].map((k) => JSON.stringify(k)).join(', ')}`,
            { file: path, line: 1, column: 1 },
          );
        let b: ReturnType<typeof lossBarrier>;
        try {
          b = lossBarrier(alpha, loss);
        } catch (e) {
          if (e instanceof ForgetscopeError) throw new ForgetscopeError(e.code, e.detail, { file: path });
          throw e;
        }
        const old = cols.get('loss_old');
        const neu = cols.get('loss_new');
        const best = old && neu ? bestTradeoff(alpha, old, neu, w) : bestTradeoff(alpha, loss, loss, w);
        const result = {
          barrier: b.barrier,
          argAlpha: b.argAlpha,
          meanExcess: b.meanExcess,
          excess: b.excess,
          best: { alpha: best.alpha, score: best.score, weight: w, from: old && neu ? 'loss_old,loss_new' : 'loss' },
        };
        if (flags.json) {
          ctx.printJson(result);
          return;
        }
        ctx.out(
          `loss barrier ${b.barrier.toPrecision(4)} at alpha ${b.argAlpha}; mean excess over the line ${b.meanExcess.toPrecision(4)}\n`,
        );
        ctx.out(`best trade-off: alpha ${best.alpha} (score ${best.score.toPrecision(4)}, w = ${w})\n`);
      });
    const merge = addCommand(
      lora,
      'merge',
      'EMA merge of a slow and a fast LoRA adapter: λ·slow + (1−λ)·fast on A and B, with the factor merge error',
    )
      .requiredOption('--slow <file>', 'slow adapter (safetensors, PEFT names ...lora_A.weight / ...lora_B.weight)')
      .requiredOption('--fast <file>', 'fast adapter (same names)')
      .requiredOption('--lambda <l>', 'weight of the slow adapter, in [0, 1]')
      .requiredOption('--out <file>', 'merged adapter (safetensors)')
      .option('--force', 'overwrite --out')
      .option('--lora-alpha <a>', 'LoRA alpha (scale alpha/r) for the merge error; default r (scale 1)')
      .option('--json', 'print one JSON object');
    addBackendOption(merge, 'auto', 'numerical backend for the factor products: auto, cpu or webgpu').action(
      async (flags: MergeFlags) => {
        const lambda = parseNumberIn(flags.lambda, '--lambda', 0, 1);
        const alpha = flags.loraAlpha !== undefined ? parsePositiveNumber(flags.loraAlpha, '--lora-alpha') : undefined;
        await checkOutFile(ctx, flags.out, flags.force);
        await checkInputFile(flags.slow);
        await checkInputFile(flags.fast);
        const slow = await readSafetensorsFile(flags.slow, { precision: 'float64' });
        checkTensorValues(slow, 'adapter', { where: { file: flags.slow } });
        const fast = await readSafetensorsFile(flags.fast, { precision: 'float64' });
        checkTensorValues(fast, 'adapter', { where: { file: flags.fast } });
        // Work ahead: B·A (m·r·n multiply–adds) for the slow, fast and merged factors of every LoRA pair.
        const byName = new Map(slow.map((t) => [t.name, t]));
        const work = slow.reduce((sum, a) => {
          const at = a.name.lastIndexOf('lora_A');
          const b =
            at < 0 ? undefined : byName.get(a.name.slice(0, at) + 'lora_B' + a.name.slice(at + 'lora_A'.length));
          const [aRows, aCols] = shape2D(a.shape) ?? [0, 0];
          const [bRows] = (b && shape2D(b.shape)) ?? [0];
          return sum + 3 * bRows * aRows * aCols;
        }, 0);
        const backend = await backendFromFlag(flags.backend, ctx, work);
        let result;
        try {
          result = await mergeAdapters(slow, fast, lambda, { backend, ...(alpha !== undefined ? { alpha } : {}) });
        } finally {
          await backend.dispose();
        }
        const { merged, layers } = result;
        await writeSafetensorsFile(
          flags.out,
          merged.map((t) => ({ name: t.name, shape: t.shape, data: t.data, dtype: 'F32' as const })),
          { force: flags.force === true, metadata: { format: 'pt', 'forgetscope.merge': `lambda=${lambda}` } },
        );
        if (flags.json) {
          ctx.printJson({ out: flags.out, lambda, tensors: merged.length, layers, ...backendJson(backend) });
          return;
        }
        ctx.err(`wrote ${merged.length} tensors to ${flags.out}\n`);
        ctx.out(
          table(
            ['layer', 'rank', '‖ΔW(EMA of A,B) − EMA of ΔW‖', '‖EMA of ΔW‖'],
            layers.map((l) => [l.layer, String(l.rank), l.factorMergeError.toPrecision(4), l.deltaNorm.toPrecision(4)]),
          ),
        );
      },
    );
  },
};
