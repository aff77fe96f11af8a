/**
 * The library in a browser: dist/index.js bundled as one ES module by esbuild (platform browser, so a
 * Node-only import in the core fails the build), served from a local HTTP server (a secure context,
 * which WebGPU needs) to headless Chromium, where the core checks (test/runtimes/coreChecks.mjs: read
 * Parquet and npy bytes, analyze, evaluate, predict) run against the fixture's numpy references. WebGPU
 * runs when Chromium offers an adapter (`--enable-unsafe-webgpu`: SwiftShader here) and is compared
 * with the cpu path; otherwise the cpu path alone runs. The output says which. With
 * FORGETSCOPE_REQUIRE_WEBGPU=1 (CI) a missing adapter fails the test.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { CHROMIUM_ARGS, chromiumAvailable, launchChromium } from '../report/chromium.js';

const outDir = resolve('test-output', 'runtimes');
const run = chromiumAvailable() ? it : it.skip;
const requireWebGpu = process.env['FORGETSCOPE_REQUIRE_WEBGPU'] === '1';

const PAGE = `<!doctype html><meta charset="utf-8"><title>forgetscope core checks</title>
<script type="module">
import * as lib from './forgetscope.mjs';
import { runCoreChecks } from './coreChecks.mjs';
const get = async (name) => new Uint8Array(await (await fetch('./fixture/' + name)).arrayBuffer());
try {
  const files = { 'long.parquet': await get('long.parquet'), 'Z.npy': await get('Z.npy'), sanity: JSON.parse(new TextDecoder().decode(await get('sanity.json'))) };
  const requireWebGpu = new URLSearchParams(location.search).get('requireWebGpu') === '1';
  window.__result = await runCoreChecks(lib, files, { gpu: navigator.gpu ?? null, requireWebGpu, runtime: navigator.userAgent });
} catch (e) {
  window.__result = { error: String(e && e.stack || e) };
}
</script>`;

describe('core library in headless Chromium (esbuild bundle)', () => {
  let server: Server | null = null;
  afterAll(() => server?.close());

  run('bundles for the browser and passes the core checks, on WebGPU where Chromium offers an adapter', async () => {
    mkdirSync(outDir, { recursive: true });
    const bundle = join(outDir, 'forgetscope.browser.mjs');
    const result = await build({
      entryPoints: [resolve('dist/index.js')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      outfile: bundle,
      logLevel: 'silent',
      metafile: true,
    });
    expect(result.errors).toEqual([]);
    // No Node built-in reached the bundle (esbuild would have failed on a `node:` import, but check the inputs too).
    expect(Object.keys(result.metafile.inputs).filter((f) => /^node:|node_modules\/(webgpu|@resvg)\//.test(f))).toEqual(
      [],
    );
    const files: Record<string, [string, string]> = {
      '/': [PAGE, 'text/html'],
      '/forgetscope.mjs': [bundle, 'text/javascript'],
      '/coreChecks.mjs': [resolve('test/runtimes/coreChecks.mjs'), 'text/javascript'],
      '/fixture/long.parquet': [resolve('fixtures/real-dev-v1/long.parquet'), 'application/octet-stream'],
      '/fixture/Z.npy': [resolve('fixtures/real-dev-v1/Z.npy'), 'application/octet-stream'],
      '/fixture/sanity.json': [resolve('fixtures/real-dev-v1/sanity.json'), 'application/json'],
    };
    server = createServer((req, res) => {
      const hit = files[(req.url ?? '/').split('?')[0]!];
      if (!hit) {
        res.writeHead(req.url === '/favicon.ico' ? 204 : 404).end();
        return;
      }
      res.writeHead(200, { 'content-type': hit[1] }).end(hit[0] === PAGE ? PAGE : readFileSync(hit[0]));
    });
    await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/?requireWebGpu=${requireWebGpu ? 1 : 0}`;

    const browser = await launchChromium({ extraArgs: ['--enable-unsafe-webgpu'] });
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(url);
      await page.waitForFunction('window.__result !== undefined', undefined, { timeout: 120_000 });
      const out = (await page.evaluate('window.__result')) as
        | { error: string }
        | { lines: string[]; failures: string[]; results: { webgpu: { adapter: string } | null } };
      if ('error' in out) throw new Error(`the core checks threw in Chromium: ${out.error}`);
      const version = await page.evaluate<string>(
        'navigator.userAgent.match(/Chrome\\/[\\d.]+/)?.[0] ?? navigator.userAgent',
      );
      const gpuLine = out.results.webgpu
        ? `WebGPU adapter: ${out.results.webgpu.adapter}`
        : 'no WebGPU adapter: cpu path only';
      // The test output states what ran (jest prints console output of passing tests too).
      console.log(
        `core checks in headless Chromium (${version}; ${[...CHROMIUM_ARGS, '--enable-unsafe-webgpu'].join(' ')}); ${gpuLine}\n${out.lines.join('\n')}`,
      );
      expect(out.failures).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
