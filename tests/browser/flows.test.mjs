// The panel's flow view in the test host (the panel's test build through module.js), fed the
// `flows` frames the real plugin process answers from the demo's Goldmane (the simulator's,
// over mutual TLS); its drill-down asks the datasource's resource API, which the host's server
// forwards to the demo's stand-in for Grafana's API, and so to the plugin process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { start, startDemo, render, hook } from './harness.mjs';

let demo;
let h;
const shots = path.resolve('target/browser/screenshots');
const FLOWS = { refId: 'A', datasource: { type: 'calicoscope-datasource', uid: 'calicoscope' }, mode: 'catalog', catalog: 'flows' };

before(async () => {
  demo = await startDemo();
  h = await start({ api: demo.base });
});
after(async () => {
  await h?.close();
  demo?.stop();
});

const page = () => h.page;
const status = () => page().textContent('.calicoscope-root .cs-status');

/** The flows table's rows, as objects. */
function rows(frames) {
  const f = frames.find((x) => x.schema.name === 'flows');
  return f.data.values[0].map((_, i) => Object.fromEntries(f.schema.fields.map((fd, k) => [fd.name, f.data.values[k][i]])));
}

/** Flows from the demo's Goldmane through /api/ds/query (the plugin process). */
async function flowFrames(targets = [FLOWS]) {
  // Goldmane's buckets fill every 15 s: wait until the demo's has flows.
  for (let i = 0; i < 60; i++) {
    const frames = await page().evaluate((t) => window.host.query(t, { from: 'now-1h', to: 'now' }), targets);
    if (frames.some((f) => f.schema.name === 'flows' && f.data.values[0].length > 0)) return frames;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('the demo\'s Goldmane listed no flows in 60 s');
}

async function hover(rect) {
  const box = await page().locator('.calicoscope-root canvas').boundingBox();
  await page().mouse.move(box.x + rect[0] + rect[2] / 2, box.y + rect[1] + rect[3] / 2);
}
async function clickAt(rect) {
  const box = await page().locator('.calicoscope-root canvas').boundingBox();
  await page().mouse.click(box.x + rect[0] + rect[2] / 2, box.y + rect[1] + rect[3] / 2);
}

/**
 * Connections as the view counts them: both ends report a flow, each with its verdict; one
 * connection is denied when either end denied it, its packets counted once.
 */
function connections(rs) {
  const out = new Map();
  for (const r of rs) {
    const k = [r.source_namespace, r.source_type, r.source_name, r.dest_namespace, r.dest_type, r.dest_name, r.dest_port, r.protocol].join('|');
    const c = out.get(k) || { denied: false, packets: 0 };
    c.denied ||= r.action === 'deny';
    c.packets = Math.max(c.packets, r.packets_in + r.packets_out);
    out.set(k, c);
  }
  return [...out.values()];
}

/** A denied namespace pair of the demo's flows: [source, destination, rows of the pair]. */
function deniedPair(all) {
  const named = all.filter((r) => r.source_namespace && r.dest_namespace);
  const d = named.find((r) => r.action === 'deny');
  assert.ok(d, 'the demo\'s Goldmane has denied flows between namespaces');
  return [d.source_namespace, d.dest_namespace, named.filter((r) => r.source_namespace === d.source_namespace && r.dest_namespace === d.dest_namespace)];
}

test('the matrix shows the demo\'s flows; hover gives the pair\'s totals; click sets both variables and lists its flows', async () => {
  const frames = await flowFrames();
  const all = rows(frames);
  await render(page(), { frames, targets: [FLOWS], width: 1000, height: 640, options: { view: 'auto' } });
  const namespaces = new Set(all.flatMap((r) => [r.source_namespace, r.dest_namespace]).filter(Boolean));
  const flows = connections(all).length.toLocaleString('en-US');
  assert.match(await status(), new RegExp(`^${namespaces.size} namespaces · ${flows} flows · \\d+ of \\d+ pairs denied`));
  const legend = await page().textContent('.calicoscope-root .cs-legend');
  for (const label of ['allowed', 'denied', 'allowed and denied', 'staged policy would deny']) assert.ok(legend.includes(label), legend);

  const [src, dst, pair] = deniedPair(all);
  const cell = await hook(page(), 'locate', `${src}>${dst}`);
  assert.ok(cell, `${src} → ${dst} is drawn`);
  await hover(cell);
  const tip = await page().textContent('.calicoscope-root .cs-tooltip');
  const conns = connections(pair);
  assert.ok(tip.startsWith(`${src} → ${dst}\n${conns.length === 1 ? '1 flow' : conns.length + ' flows'} · `), tip);
  const denied = conns.filter((c) => c.denied).reduce((n, c) => n + c.packets, 0);
  assert.ok(tip.includes(`denied ${denied.toLocaleString('en-US')}`), tip);

  const before = await page().evaluate(() => window.host.runtime.calls.length);
  await clickAt(cell);
  const calls = await page().evaluate(() => window.host.runtime.calls);
  assert.equal(calls.length, before + 1, 'both variables in one step');
  assert.deepEqual(calls.at(-1), { query: { 'var-source_namespace': src, 'var-dest_namespace': dst }, replace: true });

  // The pane lists the pair's flows, fetched by the panel from the resource API.
  await page().waitForSelector('.cs-drill tbody tr', { timeout: 15000 });
  const heading = await page().textContent('.cs-drill strong');
  // The same reports as the query's table has for the pair (one per end and flow).
  assert.equal(heading, `${src} → ${dst} · ${pair.length} report${pair.length === 1 ? '' : 's'}`);
  const listed = await page().$$eval('.cs-drill tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  assert.ok(listed.length > 0);
  assert.ok(listed.every(([from, to]) => from.startsWith(src + '/') && to.startsWith(dst + '/')), JSON.stringify(listed.slice(0, 3)));
  assert.ok(listed.some((l) => l[3].startsWith('deny')), 'the denied flow is listed');
  const asked = await page().evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/resources/flows?')));
  assert.ok(asked.at(-1).includes(`/api/datasources/uid/calicoscope/resources/flows?source_namespace=${encodeURIComponent(src)}&dest_namespace=${encodeURIComponent(dst)}&from=`), asked.at(-1));

  fs.mkdirSync(shots, { recursive: true });
  await page().locator('.calicoscope-root').screenshot({ path: path.join(shots, 'flows-dark.png') });

  // The selection survives a refresh of the data; the close button ends it.
  await render(page(), { frames });
  assert.ok(await page().$('.cs-drill'), 'still open after new data');
  await page().click('.cs-drill button[aria-label="Close the flow list"]');
  assert.equal(await page().$('.cs-drill'), null);
  // Open again, then switch the panel to a view that cannot show it: the pane goes, and the
  // canvas takes its room back.
  await clickAt(await hook(page(), 'locate', `${src}>${dst}`));
  await page().waitForSelector('.cs-drill');
  const shrunk = await page().$eval('.calicoscope-root canvas', (c) => c.getBoundingClientRect().height);
  await render(page(), { frames, options: { view: 'heatmap' } });
  assert.equal(await page().$('.cs-drill'), null, 'no pane over another view');
  await render(page(), { frames, options: { view: 'auto' } });
  const full = await page().$eval('.calicoscope-root canvas', (c) => c.getBoundingClientRect().height);
  assert.ok(full > shrunk, `the matrix has its room back (${shrunk} → ${full} px)`);
  assert.equal(await page().$('.cs-drill'), null, 'and the selection is gone with it');
  assert.deepEqual(h.errors, []);
});

test('drill-down states: empty for a range with no flows, the error for an unknown datasource, and none without one', async () => {
  const frames = await flowFrames();
  const [src, dst] = deniedPair(rows(frames));
  const cell = () => hook(page(), 'locate', `${src}>${dst}`);
  // Two days ago Goldmane (an hour of history) has nothing: the empty state.
  const past = { from: Date.now() - 2 * 86400e3, to: Date.now() - 86400e3 };
  await render(page(), { frames, targets: [FLOWS], range: past, width: 1000, height: 640 });
  await clickAt(await cell());
  await page().waitForFunction(() => /No flows between these two/.test(document.querySelector('.cs-drill')?.textContent || ''), null, { timeout: 15000 });

  const unknown = { ...FLOWS, datasource: { type: 'calicoscope-datasource', uid: 'no-such-uid' } };
  await render(page(), { frames, targets: [unknown], range: { from: Date.now() - 3600e3, to: Date.now() } });
  await clickAt(await cell());
  await page().waitForSelector('.cs-drill [role="alert"]', { timeout: 15000 });
  assert.equal(await page().textContent('.cs-drill [role="alert"]'), 'The datasource answered 404: Data source not found');

  await render(page(), { frames, targets: [] });
  await clickAt(await cell());
  await page().waitForFunction(() => /cannot tell which datasource/.test(document.querySelector('.cs-drill [role="alert"]')?.textContent || ''));
  await page().click('.cs-drill button[aria-label="Close the flow list"]');
});

test('500 namespaces: every cell is where hover finds it, and a non-namespace group sets no variable', async () => {
  // A synthetic flows frame in the backend's shape (field names from the real answer).
  const real = await flowFrames();
  const schema = real.find((f) => f.schema.name === 'flows').schema;
  const n = 500;
  const names = Array.from({ length: n }, (_, i) => `ns-${String(i).padStart(3, '0')}`);
  const table = [];
  for (let s = 0; s < n; s++) {
    for (let k = 1; k <= 8; k++) {
      const d = (s * 31 + k * 7) % n;
      table.push({ source_namespace: names[s], source_type: 'workload', source_name: 'a-', dest_namespace: names[d], dest_type: 'workload', dest_name: 'b-', action: k === 1 ? 'deny' : 'allow', pending_action: '', packets_in: k, packets_out: 0 });
    }
  }
  table.push({ source_namespace: '', source_type: 'network', source_name: 'pub', dest_namespace: names[0], dest_type: 'workload', dest_name: 'b-', action: 'allow', pending_action: '', packets_in: 1, packets_out: 0 });
  const frame = {
    schema,
    data: { values: schema.fields.map((f) => table.map((r) => r[f.name] ?? (f.type === 'number' ? 0 : f.type === 'time' ? Date.now() : ''))) },
  };
  await render(page(), { frames: [frame], targets: [FLOWS], width: 1000, height: 640, options: { view: 'flows' } });
  assert.match(await status(), /^500 namespaces · 4,001 flows · 500 of 4,001 pairs denied/);
  for (const [s, d] of [[0, 7], [499, (499 * 31 + 7 * 8) % n], [250, (250 * 31 + 7) % n]]) {
    const rect = await hook(page(), 'locate', `${names[s]}>${names[d]}`);
    await hover(rect);
    const tip = await page().textContent('.calicoscope-root .cs-tooltip');
    assert.ok(tip.startsWith(`${names[s]} → ${names[d]}\n`), `${s}→${d}: ${tip}`);
  }
  const before = await page().evaluate(() => window.host.runtime.calls.length);
  await clickAt(await hook(page(), 'locate', `[internet]>${names[0]}`));
  const calls = await page().evaluate(() => window.host.runtime.calls);
  assert.equal(calls.length, before + 1);
  assert.deepEqual(calls.at(-1).query, { 'var-dest_namespace': names[0] }, 'the internet is no namespace');
  assert.deepEqual(h.errors, []);
});
