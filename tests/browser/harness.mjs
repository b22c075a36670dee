// Browser-test harness: a static server on 127.0.0.1 for the host page, the built plugin and
// the backend's frames, and Debian's chromium driven by playwright-core (no browser download).
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/**
 * The React the host pages run: 19 (with Grafana 13's packages, as Grafana 13.2+ runs) or 18
 * (with Grafana 10.4's, the oldest we claim): `CALICOSCOPE_REACT=18`; scripts/test-browser.sh
 * runs the tests under both. Pages take it as `?react=18`.
 */
export const REACT = process.env.CALICOSCOPE_REACT === '18' ? '18' : '19';
export const HOST_QUERY = `?react=${REACT}`;

/**
 * URL prefix → directory. Everything else is 404. `/plugin/panel/` is the panel's test build
 * (`build-panel.sh --test-hooks`: the product's module.js, a wasm with the test hooks).
 */
const routes = [
  ['/host/host.js', path.join(root, 'target/browser/host/host.js')],
  ['/host/react18/', path.join(root, 'target/browser/host/react18/')],
  ['/host/', path.join(root, 'tests/browser/host/')],
  ['/plugin/', path.join(root, 'target/browser/plugin/')],
  ['/fixtures/', path.join(root, 'target/browser/fixtures/')],
  ['/node_modules/systemjs/', path.join(root, 'node_modules/systemjs/')],
  ['/node_modules/echarts/', path.join(root, 'node_modules/echarts/')],
];
const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.json': 'application/json' };

/** Grafana's `/api/…` as the demo's preview server answers it (`api`: its base URL). */
async function forward(req, res, api) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  try {
    const rsp = await fetch(api + req.url, { method: req.method, body, headers: { 'content-type': req.headers['content-type'] || 'application/json' } });
    res.writeHead(rsp.status, { 'content-type': rsp.headers.get('content-type') || 'application/json' });
    res.end(Buffer.from(await rsp.arrayBuffer()));
  } catch (e) {
    res.writeHead(502).end(String(e));
  }
}

function serve(api) {
  const server = http.createServer((req, res) => {
    if (api && req.url.startsWith('/api/')) {
      forward(req, res, api);
      return;
    }
    const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const route = routes.find(([prefix]) => url === prefix || (prefix.endsWith('/') && url.startsWith(prefix)));
    const file = route && (route[0].endsWith('/') ? path.join(route[1], url.slice(route[0].length)) : route[1]);
    if (!file || !file.startsWith(route[1]) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end('not found: ' + url);
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Fail with the fix when something the tests need is not built or installed. */
function need(file, fix) {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: ${fix}`);
}

/** Debian's chromium, headless, with a fresh profile; page errors are collected. */
export async function launch() {
  need(CHROMIUM, 'install Debian chromium with `bash scripts/setup.sh` (apt-get install chromium)');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calicoscope-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1000, height: 700 },
    deviceScaleFactor: 1,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--enable-precise-memory-info', '--js-flags=--expose-gc',
    ],
  });
  const page = context.pages()[0] || (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // (Missing fonts and favicons are the host's business, not the plugin's: 404s are checked
  // by the tests that care, from the responses.)
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
  return {
    context,
    page,
    errors,
    userDataDir,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The test host with the panel's test build. `api`: the demo's base URL, whose Grafana API
 * (`/api/ds/query`, the datasource's resources: the real plugin process) the host's server
 * then forwards to, so the page reaches it on its own origin as it reaches Grafana's.
 */
export async function start({ api } = {}) {
  need(path.join(root, 'target/browser/plugin/panel/module.js'), 'build the panel\'s test build with `bash scripts/build-panel.sh --test-hooks`');
  need(path.join(root, 'target/browser/host/host.js'), 'run `bash scripts/test-browser.sh` (it bundles the host)');
  need(path.join(root, 'target/browser/fixtures/topology.json'), 'run `bash scripts/test-browser.sh` (it writes the frames)');
  const server = await serve(api);
  const base = `http://127.0.0.1:${server.address().port}`;
  const b = await launch();
  await b.page.goto(base + '/host/index.html' + HOST_QUERY);
  await b.page.waitForFunction(() => window.host, null, { timeout: 15000 }).catch((e) => {
    throw new Error(`the test host did not start: ${e.message}; page errors: ${b.errors.join(' | ') || 'none'}`);
  });
  const react = await b.page.evaluate(() => window.host.react);
  if (react !== REACT) throw new Error(`the host runs React ${react}, not ${REACT}`);
  const { page, errors, context, userDataDir } = b;
  return {
    page,
    base,
    errors,
    fixture: (name) => JSON.parse(fs.readFileSync(path.join(root, 'target/browser/fixtures', name), 'utf8')),
    async close() {
      await context.close();
      server.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Render and wait until the panel has drawn at least once more than before (`timeout` ms).
 * `props` may be a function run in the page that renders (for frames built in the page).
 */
export async function render(page, props, timeout = 15000) {
  const before = await draws(page);
  if (typeof props === 'function') await page.evaluate(props);
  else await page.evaluate((p) => window.host.render(p), props);
  await page.waitForFunction(
    (n) => Number(document.querySelector('.calicoscope-root')?.calicoscopePanel?.draws() || 0) > n,
    before,
    { timeout }
  );
}

/** Draws of the mounted panel so far (its test hooks count them), 0 when none is mounted. */
export function draws(page) {
  return page.evaluate(() => Number(document.querySelector('.calicoscope-root')?.calicoscopePanel?.draws() || 0));
}

/** Call a test hook of the mounted panel (`locate`, `colour`, `draws`, `memory_bytes`). */
export function hook(page, method, ...args) {
  return page.evaluate(([m, a]) => document.querySelector('.calicoscope-root').calicoscopePanel[m](...a), [method, args]);
}

/** RGB of the canvas pixel at CSS (x, y) inside the canvas. */
export function pixel(page, x, y) {
  return page.evaluate(
    ([x, y]) => {
      const c = document.querySelector('.calicoscope-root canvas');
      const d = c.getContext('2d').getImageData(Math.round(x), Math.round(y), 1, 1).data;
      return [d[0], d[1], d[2]];
    },
    [x, y]
  );
}

/**
 * Start the demo (simulator, Prometheus, the plugin process and its preview server) and
 * return the preview's base URL once it serves. Stops with `stop()`.
 */
export async function startDemo(args = ['--nodes', '40', '--port', '0']) {
  const { spawn } = await import('node:child_process');
  const bin = path.join(root, 'target/debug/examples/demo');
  need(bin, 'build it with `cargo build -p calicoscope-backend --example demo --bin gpx_calicoscope`');
  const child = spawn(bin, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo printed no preview URL in 120 s:\n${out}`)), 120000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/preview: (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`demo exited (${code}):\n${out}`)));
  });
  return { base, output: () => out, stop: () => child.kill('SIGTERM') };
}
