import { renderSvg, screeSpec } from '../../../src/viz/index.js';
import { renderPng, svgToPng } from '../../../src/viz/node/index.js';

/** Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian). */
function pngSize(png: Uint8Array): [number, number] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}

describe('PNG rendering (resvg)', () => {
  it('rasterises an SVG at the requested width, keeping the aspect ratio', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><rect width="100" height="50" fill="red"/></svg>';
    const png = await svgToPng(svg, { width: 300 });
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(pngSize(png)).toEqual([300, 150]);
  });

  it('renders a chart to a PNG twice the SVG size by default', async () => {
    const spec = screeSpec({ singularValues: [3, 2, 1], r2: [0.5, 0.9, 1] });
    const svg = await renderSvg(spec);
    const w = Number(/width="(\d+(?:\.\d+)?)"/.exec(svg)![1]);
    const h = Number(/height="(\d+(?:\.\d+)?)"/.exec(svg)![1]);
    const png = await renderPng(spec);
    expect(pngSize(png)).toEqual([Math.round(2 * w), Math.round(2 * h)]);
    expect(png.length).toBeGreaterThan(5000); // text and marks, not a blank page
  });
});
