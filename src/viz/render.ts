import type { VegaLiteSpec } from './spec.js';

/** A compiled Vega spec and the warnings Vega-Lite raised while compiling it. */
export interface CompiledSpec {
  /** The Vega (not Vega-Lite) specification. */
  vega: unknown;
  /** Warnings from the Vega-Lite compiler (empty for a clean spec). */
  warnings: string[];
}

/**
 * Compiles a Vega-Lite spec to Vega, collecting the compiler's warnings instead of printing them.
 * Runs anywhere vega-lite runs (Node, Deno, browsers); vega-lite is loaded on first use.
 */
export async function compileVegaLite(spec: VegaLiteSpec): Promise<CompiledSpec> {
  const vl = await import('vega-lite');
  const warnings: string[] = [];
  interface Logger {
    level(): Logger;
    error(...args: unknown[]): Logger;
    warn(...args: unknown[]): Logger;
    info(): Logger;
    debug(): Logger;
  }
  const logger: Logger = {
    level: () => logger,
    error: (...args) => {
      warnings.push(`error: ${args.map(String).join(' ')}`);
      return logger;
    },
    warn: (...args) => {
      warnings.push(args.map(String).join(' '));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  // The logger type in vega-lite's typings is vega-util's LoggerInterface; ours implements it.
  const out = vl.compile(spec, { logger: logger as never });
  return { vega: out.spec, warnings };
}

/**
 * Renders a Vega-Lite spec to a standalone SVG string without a browser (Vega's headless View; text
 * widths are estimated when no canvas is available). Warnings from compiling go to `onWarning`.
 * @example
 * const svg = await renderSvg(screeSpec({ singularValues, r2 }));
 */
export async function renderSvg(
  spec: VegaLiteSpec,
  options: { onWarning?: (message: string) => void } = {},
): Promise<string> {
  const { vega: compiled, warnings } = await compileVegaLite(spec);
  for (const w of warnings) options.onWarning?.(w);
  const vega = await import('vega');
  const view = new vega.View(vega.parse(compiled as never), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
