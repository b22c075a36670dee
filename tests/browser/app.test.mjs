// The app's pages (Capacity report, Setup check, configuration) against the real plugin
// process: the demo starts the simulator, Prometheus, gpx_calicoscope through the plugin
// protocol and its stand-in for Grafana's API (two datasources: `calicoscope`, and
// `calicoscope-typha-job` whose Typha job matches no scrape job); the pages run in a host page
// with the real @grafana/ui, @grafana/runtime and @emotion/css (tests/browser/host/app.mjs).
// The simulated cluster keeps moving (its clock runs 60x), so what the page shows is compared
// with the answer the page itself received, and the figures that do not move (pools, families,
// sizes, reservations) with a fresh request made here. The report's window is 2m where a
// trend is wanted: the demo's Prometheus holds a minute or two of samples.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, startDemo, HOST_QUERY, REACT } from './harness.mjs';

const shots = path.resolve('target/browser/screenshots');
const suffix = REACT === '19' ? '' : '-react' + REACT;

let demo;
let b;
const missing = [];

before(async () => {
  demo = await startDemo();
  b = await launch();
  fs.mkdirSync(shots, { recursive: true });
  b.page.on('response', (r) => r.status() === 404 && /\/(api|public\/plugins)\//.test(r.url()) && missing.push(r.url()));
  await b.page.goto(demo.base + '/host/app.html' + HOST_QUERY);
  await b.page.waitForFunction(() => window.app);
  assert.equal(await b.page.evaluate(() => window.app.react), REACT, 'the host runs the React under test');
  await b.page.evaluate(() => window.app.load());
});
after(async () => {
  await b?.close();
  demo?.stop();
});

const page = () => b.page;
const api = async (url) => {
  const rsp = await fetch(demo.base + url);
  assert.equal(rsp.status, 200, url);
  return rsp;
};

/** Opens the report and returns the report resource's answer the page received. */
async function openReport(query) {
  const answer = page().waitForResponse((r) => r.url().includes('/resources/report?'));
  await page().evaluate((q) => window.app.open('/a/calicoscope-app/report' + q), query);
  const report = await (await answer).json();
  await page().waitForFunction((n) => document.querySelectorAll('.cs-pool').length === n, report.pools.length);
  return report;
}

/** What the page shows: headline, orphans, and per pool its figures, sentences and lists. */
function shown() {
  return page().evaluate(() => {
    const text = (el, sel) => el.querySelector(sel)?.textContent ?? '';
    return {
      headline: text(document, '.cs-headline'),
      orphans: text(document, '.cs-orphans p'),
      denied: text(document, '.cs-denied p'),
      pools: [...document.querySelectorAll('.cs-pool')].map((s) => ({
        name: s.dataset.pool,
        heading: text(s, 'h2'),
        figures: Object.fromEntries([...s.querySelectorAll('[data-figure]')].map((f) => [f.dataset.figure, f.firstChild.textContent])),
        forecast: text(s, '.cs-forecast'),
        action: { kind: s.querySelector('[data-action]').dataset.action, text: text(s, '.cs-action-text') },
        borrowing: text(s, '.cs-borrowing'),
        leaks: text(s, '.cs-leaks'),
        nodes: [...s.querySelectorAll('.cs-nodes code')].map((c) => c.textContent),
        segments: [...s.querySelectorAll('.cs-sparkline path')].map((p) => p.getAttribute('d').match(/[ML]/g).length),
      })),
    };
  });
}

test("capacity report: the simulated cluster's pools with the backend's figures and sentences", async () => {
  const report = await openReport('?datasource=calicoscope&window=2m');
  assert.deepEqual(report.pools.map((p) => p.name), ['default-ipv4-ippool', 'default-ipv6-ippool']);
  const view = await shown();
  assert.equal(view.headline, report.headline);
  assert.equal(view.orphans, report.orphans.text);
  // Denied traffic: shown when the datasource has a Goldmane (the report then carries it).
  assert.equal(view.denied, report.denied?.text ?? '');
  assert.ok(report.orphans.blocks > 0, 'the demo cluster has orphan blocks');
  for (const [i, pool] of report.pools.entries()) {
    const v = view.pools[i];
    assert.equal(v.name, pool.name);
    assert.equal(v.heading, `${pool.name} ${pool.family}`);
    assert.deepEqual(v.figures, pool.figures);
    assert.equal(v.forecast, pool.forecast);
    assert.deepEqual(v.action, pool.action);
    assert.equal(v.borrowing, pool.borrowingText);
    assert.equal(v.leaks, pool.leaksText);
    const listed = [...pool.borrowing.slice(0, 12), ...pool.leaking.slice(0, 12)].map((n) => n.node);
    assert.deepEqual(v.nodes, listed);
    // The sparkline draws every trend point that has a value.
    const points = pool.trend.utilization.filter((u) => u !== null).length;
    assert.equal(v.segments.reduce((a, n) => a + n, 0), points, pool.name);
    assert.ok(points >= 2, `${pool.name}: ${points} trend points`);
  }
  // The IPv4 pool grows, borrows and leaks in the demo: all of it is on the page.
  const v4 = report.pools[0];
  assert.ok(v4.borrowing.length > 0 && v4.leaked > 0, JSON.stringify(v4).slice(0, 300));
  assert.notEqual(v4.borrowingText, '');
  assert.notEqual(v4.leaksText, '');
  // A fresh request: the same pools, families, sizes and reservations (the cluster moves, those do not).
  const fresh = await (await api('/api/datasources/uid/calicoscope/resources/report?window=2m')).json();
  const still = (r) => r.pools.map((p) => [p.name, p.family, p.size, p.reserved, p.figures.reserved]);
  assert.deepEqual(still(fresh), still(report));
  assert.deepEqual(missing, []);
  assert.deepEqual(b.errors, []);
});

test('capacity report: the window comes from the URL, and a bad one shows the backend\'s error', async () => {
  const asked = page().waitForRequest((r) => r.url().includes('/resources/report?'));
  const report = await openReport('?datasource=calicoscope&window=24h');
  assert.match((await asked).url(), /\/api\/datasources\/uid\/calicoscope\/resources\/report\?window=24h$/);
  assert.match(await page().textContent('.cs-when'), new RegExp(`over the last ${report.windowText}\\.$`));
  await page().evaluate(() => window.app.open('/a/calicoscope-app/report?datasource=calicoscope&window=7x'));
  await page().waitForSelector('text=The capacity report could not be made');
  const rsp = await fetch(demo.base + '/api/datasources/uid/calicoscope/resources/report?window=7x');
  assert.equal(rsp.status, 400);
  const { error } = await rsp.json();
  assert.ok(error.length > 10, error);
  assert.ok((await page().textContent('#root')).includes(error), 'the alert shows the backend\'s message');
});

test('capacity report printed: A4, a page per pool, no chrome or controls', async () => {
  const report = await openReport('?datasource=calicoscope&window=2m');
  await page().emulateMedia({ media: 'print' });
  const layout = await page().evaluate(() => ({
    chrome: [...document.querySelectorAll('.host-chrome, .cs-controls')].map((e) => getComputedStyle(e).display),
    breaks: [...document.querySelectorAll('.cs-pool')].map((e) => getComputedStyle(e).breakBefore),
    scroller: getComputedStyle(document.getElementById('scroller')).overflow,
    // innerText leaves out what is not rendered: the text as printed.
    text: document.body.innerText,
  }));
  for (const pool of report.pools) {
    assert.ok(layout.text.includes(pool.forecast) && layout.text.includes(pool.action.text), `${pool.name} is printed`);
  }
  assert.ok(layout.text.includes(report.headline));
  for (const hidden of ['Grafana (test host)', 'Download CSV', 'Print / Save as PDF', 'Growth over']) {
    assert.ok(!layout.text.includes(hidden), `"${hidden}" is not printed`);
  }
  assert.deepEqual(layout.chrome, ['none', 'none', 'none']);
  assert.deepEqual(layout.breaks, report.pools.map(() => 'page'));
  assert.equal(layout.scroller, 'visible', 'the scrolling container is un-clipped');
  await page().emulateMedia({ media: null }); // page.pdf() prints with print media unless screen is emulated
  const pdf = await page().pdf({ format: 'A4', printBackground: true });
  fs.writeFileSync(path.join(shots, `report${suffix}.pdf`), pdf);
  const text = pdf.toString('latin1');
  const pages = text.match(/\/Type\s*\/Page(?![s\w])/g) ?? [];
  // Page 1: title, headline and orphan blocks; then one page per pool.
  assert.equal(pages.length, 1 + report.pools.length, `${pages.length} pages for ${report.pools.length} pools`);
  const [, w, h] = text.match(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/) ?? [];
  // A4 is 595.3 × 841.9 points; Chromium rounds its page size up to whole pixels.
  assert.ok(Math.abs(w - 595.3) < 2 && Math.abs(h - 841.9) < 2, `page ${w} × ${h} points is not A4`);
});

test("capacity report: the CSV download is the backend's report.csv", async () => {
  const report = await openReport('?datasource=calicoscope&window=2m');
  const answer = page().waitForResponse((r) => r.url().includes('/resources/report.csv?'));
  const download = page().waitForEvent('download');
  await page().getByRole('button', { name: /Download CSV/ }).click();
  const sent = await (await answer).text();
  const file = await download;
  assert.equal(file.suggestedFilename(), 'calicoscope-capacity-2m.csv');
  const got = fs.readFileSync(await file.path(), 'utf8');
  assert.equal(got, sent, 'the file is what the backend sent');
  const lines = got.trim().split('\n');
  assert.equal(lines[0], 'pool,family,size,reserved,in_use,free,utilization,days_to_full,full_by,borrowing_nodes,leaked,action,cluster');
  const rows = lines.slice(1).map((l) => l.split(','));
  assert.deepEqual(
    rows.map((r) => [r[0], r[1], Number(r[2]), Number(r[3])]),
    report.pools.map((p) => [p.name, p.family, p.size, p.reserved])
  );
  assert.deepEqual(rows.map((r) => r[11]), report.pools.map((p) => p.action.kind));
});

test('setup check: a wrong Typha job shows as missing Typha metrics, with the fix to copy', async () => {
  const health = await (await api('/api/datasources/uid/calicoscope-typha-job/health')).json();
  const typha = health.details.components.find((c) => c.component === 'Typha');
  assert.equal(typha.series, 0, JSON.stringify(health.details.components));
  // The fix names the setting that hides the metrics and the job they are scraped under.
  assert.match(typha.fix, /scraped under job \S+, but the Typha job setting is "calico-typha-metrics"/);
  await page().evaluate(() => window.app.open('/a/calicoscope-app/setup?datasource=calicoscope-typha-job'));
  const fix = page().getByLabel('Fix for Typha', { exact: true });
  await fix.waitFor();
  assert.equal(await fix.textContent(), typha.fix);
  assert.equal(await page().textContent('.cs-health-message'), health.message);
  for (const c of health.details.components.filter((c) => c.series > 0)) {
    assert.equal(await page().getByLabel(`Fix for ${c.component}`, { exact: true }).count(), 0, c.component);
  }
  await b.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: demo.base });
  await page().getByRole('button', { name: 'Copy: Fix for Typha' }).click();
  assert.equal(await page().evaluate(() => navigator.clipboard.readText()), typha.fix);
  // The way on: the three dashboards and the report.
  for (const [title, uid] of [['Calico IPAM', 'calicoscope-ipam'], ['Calico Felix', 'calicoscope-felix'], ['Calico Typha', 'calicoscope-typha']]) {
    assert.equal(await page().getByRole('link', { name: title }).getAttribute('href'), `/d/${uid}`);
  }
  // The demo's own datasource finds every component: no fix shown.
  await page().evaluate(() => window.app.open('/a/calicoscope-app/setup?datasource=calicoscope'));
  await page().waitForFunction(() => document.querySelector('.cs-health-message')?.textContent.startsWith('Prometheus is reachable'));
  await page().waitForFunction(() => document.querySelectorAll('[aria-label^="Fix for"]').length === 0 && document.body.textContent.includes('Metrics found'));
  assert.deepEqual(missing, []);
  assert.deepEqual(b.errors, []);
});

/** A screenshot of the whole page content (the window made as tall as it, so nothing scrolls). */
async function shoot(name) {
  const height = await page().evaluate(() => document.getElementById('page').scrollHeight);
  await page().setViewportSize({ width: 1100, height: height + 60 });
  await page().locator('#page').screenshot({ path: path.join(shots, name) });
}

test('screenshots of both pages in both themes', async () => {
  for (const mode of ['light', 'dark']) {
    await page().evaluate((m) => window.app.setTheme(m), mode);
    await openReport('?datasource=calicoscope&window=2m');
    await shoot(`report-${mode}${suffix}.png`);
    await page().evaluate(() => window.app.open('/a/calicoscope-app/setup?datasource=calicoscope-typha-job'));
    await page().getByLabel('Fix for Typha', { exact: true }).waitFor();
    await shoot(`setup-${mode}${suffix}.png`);
  }
  await page().setViewportSize({ width: 1000, height: 700 });
  for (const name of ['report-light', 'report-dark', 'setup-light', 'setup-dark']) {
    assert.ok(fs.statSync(path.join(shots, `${name}${suffix}.png`)).size > 10000, name);
  }
  await page().evaluate(() => window.app.setTheme('dark'));
});

test('config page: saves the default datasource in jsonData, and the pages use it', async () => {
  assert.equal(await page().evaluate(() => window.app.openConfig()), 'Configuration');
  await page().click('#calicoscope-datasource');
  await page().keyboard.type('wrong Typha');
  await page().keyboard.press('Enter');
  await page().getByRole('button', { name: 'Save settings' }).click();
  await page().waitForSelector('text=Saved');
  const saved = await (await api('/api/plugins/calicoscope-app/settings')).json();
  assert.deepEqual(saved.jsonData, { defaultDatasource: 'calicoscope-typha-job' });
  assert.equal(saved.enabled, true);
  const post = (await page().evaluate(() => window.app.requests)).filter((r) => r.method === 'POST');
  assert.deepEqual(post.at(-1), { method: 'POST', url: '/api/plugins/calicoscope-app/settings', data: { enabled: true, pinned: true, jsonData: { defaultDatasource: 'calicoscope-typha-job' } } });
  // Without ?datasource= the setup check now reads the saved default.
  const asked = page().waitForRequest((r) => r.url().includes('/health'));
  await page().evaluate(() => window.app.open('/a/calicoscope-app/setup'));
  assert.ok((await asked).url().endsWith('/api/datasources/uid/calicoscope-typha-job/health'));
  await page().getByLabel('Fix for Typha', { exact: true }).waitFor();
  assert.deepEqual(b.errors, []);
});
