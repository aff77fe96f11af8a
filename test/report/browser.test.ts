import { mkdirSync, writeFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildReportHtml } from '../../src/report/index.js';
import { REPORT_CHARTS, sampleReportData } from './sampleReport.js';
import { chromiumAvailable, launchChromium } from './chromium.js';
import { checkReportInBrowser } from './checkReport.js';

const outDir = resolve('test-output', 'report');
const run = chromiumAvailable() ? it : it.skip;

describe('report in headless Chromium', () => {
  run('loads offline without console errors, renders every chart, prints, and is screenshotted', async () => {
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, 'sample-report.html');
    writeFileSync(file, await buildReportHtml(sampleReportData()));
    const browser = await launchChromium();
    try {
      const result = await checkReportInBrowser(browser.context, pathToFileURL(file).href, {
        screenshot: join(outDir, 'sample-report.png'),
        pdf: join(outDir, 'sample-report.pdf'),
      });
      expect(result.consoleErrors).toEqual([]);
      expect(result.externalRequests).toEqual([]);
      expect(result.charts.map((c) => c.name)).toEqual(REPORT_CHARTS);
      for (const c of result.charts) {
        expect(c.width).toBeGreaterThan(100);
        expect(c.height).toBeGreaterThan(50);
        expect(c.marks).toBeGreaterThan(0);
      }
      expect(result.horizontalOverflow).toBe(false);
      expect(statSync(join(outDir, 'sample-report.png')).size).toBeGreaterThan(10_000);
      expect(result.pdfPages).toBeGreaterThan(1);
    } finally {
      await browser.close();
    }
  });
});
