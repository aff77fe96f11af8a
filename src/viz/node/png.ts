/**
 * Node-only chart rasterising (native @resvg/resvg-js). Exported through `forgetscope/node`, never
 * from the core, because it loads a native addon.
 */
import type { VegaLiteSpec } from '../spec.js';
import { renderSvg } from '../render.js';

/** Options of `svgToPng` / `renderPng`. */
export interface PngOptions {
  /** Output width in pixels (height follows the aspect ratio); default: the SVG's own size × `scale`. */
  width?: number;
  /** Zoom factor when `width` is not given (default 2, sharp on high-DPI screens). */
  scale?: number;
}

/**
 * Rasterises an SVG string to PNG bytes with resvg (system fonts, DejaVu Sans as the fallback family).
 * @example
 * const png = await svgToPng(await renderSvg(spec));
 */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const fitTo =
    options.width !== undefined
      ? ({ mode: 'width', value: options.width } as const)
      : ({ mode: 'zoom', value: options.scale ?? 2 } as const);
  const resvg = new Resvg(svg, {
    fitTo,
    background: 'white',
    font: {
      loadSystemFonts: true,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
      monospaceFamily: 'DejaVu Sans Mono',
    },
  });
  return new Uint8Array(resvg.render().asPng());
}

/** Renders a Vega-Lite spec straight to PNG bytes (`renderSvg` then `svgToPng`). */
export async function renderPng(
  spec: VegaLiteSpec,
  options: PngOptions & { onWarning?: (message: string) => void } = {},
): Promise<Uint8Array> {
  return svgToPng(await renderSvg(spec, options.onWarning ? { onWarning: options.onWarning } : {}), options);
}
