import { readFileSync } from 'node:fs';
import type { BrowserContext } from 'playwright-core';

/** What the browser saw of one chart. */
export interface ChartCheck {
  name: string;
  width: number;
  height: number;
  /** Drawn mark items (paths, lines, texts inside Vega mark groups). */
  marks: number;
}

/** The outcome of loading a report in Chromium. */
export interface ReportCheck {
  consoleErrors: string[];
  /** Requests other than the report file itself (a self-contained report makes none). */
  externalRequests: string[];
  charts: ChartCheck[];
  /** True when the page is wider than a 1280 px laptop viewport. */
  horizontalOverflow: boolean;
  /** Pages of the printed PDF, when `pdf` was asked for. */
  pdfPages: number;
}

/**
 * Loads a report in a real browser and inspects it: console errors and page errors, any request
 * besides the file itself, each `figure.chart`'s SVG size and mark count, horizontal overflow;
 * saves a screenshot of the first screen and (optionally) prints it to PDF.
 */
export async function checkReportInBrowser(
  context: BrowserContext,
  url: string,
  options: { screenshot?: string; fullPage?: boolean; clipHeight?: number; pdf?: string } = {},
): Promise<ReportCheck> {
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const externalRequests: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  page.on('request', (req) => {
    if (req.url() !== url) externalRequests.push(req.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  // Evaluated in the page (a string, so this file needs no DOM typings).
  const charts = await page.evaluate<ChartCheck[]>(`
    Array.from(document.querySelectorAll('figure.chart')).map((fig) => {
      const svg = fig.querySelector('svg');
      const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
      return {
        name: fig.getAttribute('data-chart') || '',
        width: box.width,
        height: box.height,
        marks: svg ? svg.querySelectorAll('g.role-mark path, g.role-mark line, g.role-mark text').length : 0,
      };
    })`);
  const horizontalOverflow = await page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth');
  if (options.screenshot) {
    if (options.clipHeight !== undefined) {
      const height = Math.min(options.clipHeight, await page.evaluate<number>('document.documentElement.scrollHeight'));
      await page.screenshot({ path: options.screenshot, fullPage: true, clip: { x: 0, y: 0, width: 1280, height } });
    } else {
      await page.screenshot({ path: options.screenshot, fullPage: options.fullPage ?? false });
    }
  }
  let pdfPages = 0;
  if (options.pdf) {
    await page.emulateMedia({ media: 'print' });
    await page.pdf({ path: options.pdf, format: 'A4', printBackground: true });
    // Count page objects in the PDF (each page is a "/Type /Page" dictionary).
    pdfPages = (readFileSync(options.pdf, 'latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  }
  await page.close();
  return { consoleErrors, externalRequests, charts, horizontalOverflow, pdfPages };
}
