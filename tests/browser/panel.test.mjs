// Browser tests of the panel, loaded through module.js by the test host (SystemJS + AMD,
// real react / react-dom / @grafana/data), fed the backend's real frames for the simulated
// cluster (written by `demo --frames`), in Debian's headless chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { start, render, hook, pixel } from './harness.mjs';

let h;
let topology;
let heatmap;
const shots = path.resolve('target/browser/screenshots');

before(async () => {
  h = await start();
  topology = h.fixture('topology.json');
  heatmap = h.fixture('heatmap.json');
  fs.mkdirSync(shots, { recursive: true });
});
after(async () => {
  await h?.close();
});

/** The backend's `nodes` table as row objects. */
function rows(frames, name) {
  const f = frames.find((x) => x.schema.name === name);
  return f.data.values[0].map((_, i) => Object.fromEntries(f.schema.fields.map((fd, k) => [fd.name, f.data.values[k][i]])));
}

// The panel's test hooks (feature test-hooks of the wasm this host loads).
const panelCall = (method, ...args) => hook(h.page, method, ...args);

function rgb(css) {
  return css.match(/\d+/g).slice(0, 3).map(Number);
}

/** The most common colour inside a tile (3 px in from its edges, clear of outlines). */
async function dominant(rect) {
  const [x, y, w, hgt] = rect;
  return h.page.evaluate(
    ([x, y, w, hgt]) => {
      const c = document.querySelector('.calicoscope-root canvas');
      const d = c.getContext('2d').getImageData(Math.ceil(x + 3), Math.ceil(y + 3), Math.max(1, Math.floor(w - 6)), Math.max(1, Math.floor(hgt - 6))).data;
      const counts = new Map();
      for (let i = 0; i < d.length; i += 4) {
        const k = `${d[i]},${d[i + 1]},${d[i + 2]}`;
        counts.set(k, (counts.get(k) || 0) + 1);
      }
      return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0].split(',').map(Number);
    },
    [x, y, w, hgt]
  );
}

test('topology: every drawn node tile has the colour of its utilization, and the summary reads the pools', async () => {
  await render(h.page, { frames: topology, width: 900, height: 500, dark: true, options: {} });
  const nodes = rows(topology, 'nodes').filter((n) => n.node !== 'no_affinity' && n.pool === 'default-ipv4-ippool');
  assert.ok(nodes.length >= 10, 'the simulated cluster has nodes');
  let checked = 0;
  const colours = new Set();
  for (const n of nodes) {
    const rect = await panelCall('locate', n.node);
    assert.ok(rect, `${n.node} is drawn`);
    if (rect[2] < 12 || rect[3] < 12) continue;
    const want = rgb(await panelCall('colour', n.utilization));
    assert.deepEqual(await dominant(rect), want, `${n.node} at ${rect} with utilization ${n.utilization}`);
    colours.add(want.join());
    checked++;
  }
  assert.ok(checked >= 10, `checked ${checked} tiles`);
  assert.ok(colours.size >= 3, 'utilization differs across nodes, so do colours');
  const pool = rows(topology, 'pools').find((p) => p.pool === 'default-ipv4-ippool');
  const status = await h.page.textContent('.cs-status');
  assert.match(status, new RegExp(`default-ipv4-ippool \\(IPv4\\): ${Math.round(pool.utilization * 100)}% used`));
  assert.match(status, /orphan|no_ippool/, 'orphan blocks are called out');
  await h.page.locator('#root > div').screenshot({ path: path.join(shots, 'topology-dark.png') });
});

test('topology: hovering a node shows its exact numbers; clicking sets the node variable', async () => {
  await render(h.page, { frames: topology, width: 900, height: 500, dark: true, options: {} });
  const n = rows(topology, 'nodes').find((x) => x.node !== 'no_affinity' && x.borrowed > 0) || rows(topology, 'nodes')[0];
  const [x, y, w, hgt] = await panelCall('locate', n.node);
  const canvas = await h.page.$('.calicoscope-root canvas');
  const box = await canvas.boundingBox();
  await h.page.mouse.move(box.x + x + w / 2, box.y + y + hgt / 2);
  const tip = await h.page.waitForSelector('.cs-tooltip');
  const text = await tip.textContent();
  assert.ok(text.includes(n.node), text);
  assert.ok(text.includes(`in use ${n.in_use.toLocaleString('en-US')} of ${n.capacity.toLocaleString('en-US')}`), text);
  assert.ok(text.includes(`borrowed ${n.borrowed}`), text);
  await h.page.mouse.click(box.x + x + w / 2, box.y + y + hgt / 2);
  const calls = await h.page.evaluate(() => window.host.runtime.calls);
  assert.deepEqual(calls.at(-1), { query: { 'var-node': n.node }, replace: true });
  await h.page.mouse.move(0, box.y + box.height + 200);
  await h.page.waitForSelector('.cs-tooltip', { state: 'detached' });
});

test('fleet topology: clusters are the outer level, each node in its own cluster and coloured by its own figures; clicks set the cluster', async () => {
  const fleet = h.fixture('fleet/topology.json');
  await render(h.page, { frames: fleet, width: 1200, height: 700, dark: true, options: {} });
  const pools = rows(fleet, 'pools');
  const clusters = [...new Set(pools.map((p) => p.cluster))].sort();
  assert.equal(clusters.length, 3, 'the demo fleet has three clusters');
  const headers = [];
  for (const c of clusters) {
    const header = await panelCall('locate', c);
    assert.ok(header, `${c} has a header`);
    headers.push(header);
  }
  const inside = (r, box) => r[0] >= box[0] - 1 && r[0] + r[2] <= box[0] + box[2] + 1 && r[1] >= box[1];
  // The same node name in two clusters: two tiles, each the colour of its own cluster's figure.
  const nodes = rows(fleet, 'nodes').filter((n) => n.pool === 'default-ipv4-ippool' && n.node !== 'no_affinity');
  const shared = nodes.find((n) => n.cluster === clusters[0] && nodes.some((m) => m.node === n.node && m.cluster === clusters[1])).node;
  let checked = 0;
  for (const n of nodes.filter((x) => x.node === shared)) {
    const rect = await panelCall('locate', `${n.cluster}/${n.node}`);
    assert.ok(rect, `${n.cluster}/${n.node} is drawn`);
    const header = headers[clusters.indexOf(n.cluster)];
    assert.ok(inside(rect, header) && rect[1] > header[1], `${n.cluster}/${n.node} at ${rect} lies under its cluster's header ${header}`);
    if (rect[2] < 12 || rect[3] < 12) continue;
    assert.deepEqual(await dominant(rect), rgb(await panelCall('colour', n.utilization)), `${n.cluster}/${n.node}`);
    checked++;
  }
  assert.ok(checked >= 2, `checked ${checked} tiles of ${shared}`);
  const status = await h.page.textContent('.cs-status');
  for (const c of clusters) {
    const p = pools.find((x) => x.cluster === c && x.pool === 'default-ipv4-ippool');
    assert.match(status, new RegExp(`${c}/default-ipv4-ippool \\(IPv4\\): ${Math.round(p.utilization * 100)}% used`), status);
  }
  const canvas = await h.page.$('.calicoscope-root canvas');
  const box = await canvas.boundingBox();
  const [x, y] = headers[1];
  await h.page.mouse.click(box.x + x + 4, box.y + y + 4);
  let calls = await h.page.evaluate(() => window.host.runtime.calls);
  assert.deepEqual(calls.at(-1), { query: { 'var-cluster': clusters[1] }, replace: true });
  const [nx, ny, nw, nh] = await panelCall('locate', `${clusters[2]}/${shared}`);
  await h.page.mouse.click(box.x + nx + nw / 2, box.y + ny + nh / 2);
  calls = await h.page.evaluate(() => window.host.runtime.calls);
  assert.deepEqual(calls.at(-1), { query: { 'var-node': shared, 'var-cluster': clusters[2] }, replace: true });
  await h.page.mouse.move(0, box.y + box.height + 200);
  await h.page.locator('#root > div').screenshot({ path: path.join(shots, 'topology-fleet-dark.png') });
});

test('topology: resizing redraws into the new size; the light theme changes the colours', async () => {
  await render(h.page, { frames: topology, width: 900, height: 500, dark: true, options: {} });
  const node = rows(topology, 'nodes').find((x) => x.node !== 'no_affinity').node;
  const big = await panelCall('locate', node);
  const bgDark = await pixel(h.page, 0, 0); // the gap around the pools
  await render(h.page, { width: 450, height: 300 });
  const small = await panelCall('locate', node);
  const canvasWidth = await h.page.evaluate(() => document.querySelector('.calicoscope-root canvas').width);
  assert.equal(canvasWidth, 450);
  assert.ok(small[2] * small[3] < big[2] * big[3], `tile shrank: ${big} → ${small}`);
  await render(h.page, { width: 900, height: 500, dark: false });
  const bgLight = await pixel(h.page, 0, 0);
  assert.deepEqual(bgDark, [24, 27, 31], 'Grafana dark background.primary');
  assert.deepEqual(bgLight, [255, 255, 255], 'Grafana light background.primary');
  await h.page.locator('#root > div').screenshot({ path: path.join(shots, 'topology-light.png') });
});

test('heatmap: rows of the range query, each pixel the colour of its value', async () => {
  await render(h.page, { frames: heatmap, width: 900, height: 500, dark: true, options: { sort: 'name' } });
  const status = await h.page.textContent('.cs-status');
  assert.match(status, new RegExp(`^${heatmap.length} rows × \\d+ time buckets`));
  let checked = 0;
  for (const f of heatmap.slice(0, 12)) {
    const name = f.schema.fields[1].config.displayNameFromDS;
    const values = f.data.values[1];
    const last = values.at(-1);
    const rect = await panelCall('locate', name);
    assert.ok(rect, `${name} is a row`);
    const want = rgb(await panelCall('colour', last ?? NaN));
    assert.deepEqual(await pixel(h.page, rect[0] + rect[2] - 2, rect[1] + rect[3] / 2), want, `${name}: last value ${last}`);
    checked++;
  }
  assert.equal(checked, 12);
  await h.page.locator('#root > div').screenshot({ path: path.join(shots, 'heatmap-dark.png') });
  await render(h.page, { dark: false });
  await h.page.locator('#root > div').screenshot({ path: path.join(shots, 'heatmap-light.png') });
  // Hover shows the row, time and value.
  const f = heatmap[0];
  const rect = await panelCall('locate', f.schema.fields[1].config.displayNameFromDS);
  const box = await (await h.page.$('.calicoscope-root canvas')).boundingBox();
  await h.page.mouse.move(box.x + rect[0] + rect[2] - 2, box.y + rect[1] + rect[3] / 2);
  const tip = await (await h.page.waitForSelector('.cs-tooltip')).textContent();
  assert.ok(tip.includes(f.schema.fields[1].config.displayNameFromDS), tip);
  assert.ok(tip.includes(`${f.data.values[1].at(-1).toFixed(1)}%`), tip);
});

test('heatmap: past the cell cap rows are dropped with a visible warning', async () => {
  await render(h.page, { frames: heatmap, width: 900, height: 500, dark: true, options: { maxCells: 100 } });
  const status = await h.page.textContent('.cs-status');
  assert.match(status, new RegExp(`Showing \\d+ of ${heatmap.length} rows.*Raise "Max cells"`));
});

test('bad frames show an error naming the problem, and nothing throws', async () => {
  const noNodes = topology.filter((f) => f.schema.name !== 'nodes');
  const cases = [
    [{ frames: noNodes, options: { view: 'topology' } }, 'frame `nodes` is missing'],
    [{ frames: [], options: { view: 'auto' } }, 'No data'],
    [{ frames: [{ schema: { name: 'x', fields: [{ name: 'a', type: 'string' }] }, data: { values: [['b']] } }], options: { view: 'auto' } }, 'needs the `ipam_topology` query'],
    [{ frames: topology, options: { view: 'heatmap' } }, 'needs a time series query'],
  ];
  for (const [props, want] of cases) {
    await render(h.page, Object.assign({ width: 600, height: 300, dark: true }, props));
    const err = await h.page.waitForSelector('.cs-error');
    assert.ok((await err.textContent()).includes(want), `${await err.textContent()} should include ${want}`);
  }
  await render(h.page, { frames: topology, options: { view: 'auto' } });
  assert.equal(await h.page.$('.cs-error'), null, 'the error clears when the data fits');
  assert.deepEqual(h.errors, []);
});

test('malformed and huge frames: an error or a capped state, never an exception', async () => {
  // A million-row nodes table (built in the page), NaN utilizations, a series of a million
  // points one millisecond apart, fields of the wrong type.
  await h.page.evaluate(() => {
    const n = 1_000_000;
    const col = (f) => Array.from({ length: n }, (_, i) => f(i));
    window.__huge = [
      { schema: { name: 'pools', fields: [{ name: 'pool', type: 'string' }, { name: 'size', type: 'number' }, { name: 'in_use', type: 'number' }, { name: 'utilization', type: 'number' }] },
        data: { values: [['p'], [1e9], [5e5], [0.5]] } },
      { schema: { name: 'nodes', fields: ['pool', 'node', 'blocks', 'capacity', 'in_use', 'utilization'].map((name, k) => ({ name, type: k < 2 ? 'string' : 'number' })) },
        data: { values: [col(() => 'p'), col((i) => 'n' + i), col((i) => 1 + (i % 3)), col((i) => 64 * (1 + (i % 3))), col((i) => i % 64), col((i) => (i % 7 === 0 ? null : (i % 64) / 64))] } },
    ];
    window.__long = [{ schema: { fields: [{ name: 'Time', type: 'time' }, { name: 'Value', type: 'number' }] }, data: { values: [col((i) => i), col((i) => i % 100)] } }];
  });
  await render(h.page, () => window.host.render({ frames: window.__huge, width: 900, height: 500, options: {} }), 60000);
  assert.match(await h.page.textContent('.cs-status'), /⚠ 980,000 smallest nodes not drawn \(over 20,000\)/);
  await h.page.evaluate(() => window.host.render({ frames: window.__long, options: {} }));
  assert.match(await (await h.page.waitForSelector('.cs-error')).textContent(), /raise the query's min interval/);
  const wrong = topology.map((f) => (f.schema.name === 'nodes' ? { ...f, schema: { ...f.schema, fields: f.schema.fields.map((x) => (x.name === 'capacity' ? { ...x, type: 'string' } : x)) } } : f));
  await h.page.evaluate((frames) => window.host.render({ frames, options: {} }), wrong);
  assert.match(await (await h.page.waitForSelector('.cs-error')).textContent(), /Field `capacity` of frame `nodes` holds string values/);
  await h.page.evaluate(() => window.host.render({ frames: [{ schema: { fields: [] }, data: { values: [] } }], options: {} }));
  assert.match(await (await h.page.waitForSelector('.cs-error')).textContent(), /No data/);
  await h.page.evaluate(() => { delete window.__huge; delete window.__long; });
  assert.deepEqual(h.errors, []);
});

test('a Rust panic shows as the panel error state; the page lives and a new panel works', async () => {
  await render(h.page, { frames: topology, width: 600, height: 300, dark: true, options: {} });
  // Make the next data push panic inside Rust, through the same glue module.js loaded.
  await h.page.evaluate(async (base) => {
    const glue = await import(base + '/plugin/panel/wasm/calicoscope_panel.js');
    glue.Panel.prototype.set_data = function () {
      glue.panic_for_test();
    };
  }, h.base);
  await h.page.evaluate(() => window.host.render({ frames: [] }));
  const crash = await h.page.waitForSelector('.calicoscope-crash');
  assert.match(await crash.textContent(), /panic_for_test called/);
  h.errors.length = 0; // the panic hook logs to console.error on purpose
  await h.page.evaluate(() => window.host.unmount());
  await render(h.page, { frames: topology, width: 600, height: 300, dark: true, options: {} });
  assert.ok((await panelCall('locate', rows(topology, 'nodes')[0].node)) !== null, 'a fresh wasm instance draws');
});

test('100 mount/unmount cycles: JS heap and wasm memory stay bounded', async () => {
  const measure = () =>
    h.page.evaluate(async () => {
      for (let i = 0; i < 3; i++) {
        window.gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      return performance.memory.usedJSHeapSize;
    });
  let wasmBytes = 0;
  const cycle = async (n) => {
    for (let i = 0; i < n; i++) {
      await render(h.page, { frames: topology, width: 600, height: 300, dark: i % 2 === 0, options: {} });
      wasmBytes = await panelCall('memory_bytes');
      await h.page.evaluate(() => window.host.unmount());
    }
  };
  await cycle(10); // warm-up: wasm instance, JIT, caches
  const heap0 = await measure();
  const wasm0 = wasmBytes;
  await cycle(100);
  const heap1 = await measure();
  const growth = heap1 - heap0;
  console.log(
    `# mount/unmount ×100: JS heap ${(heap0 / 1e6).toFixed(2)} MB → ${(heap1 / 1e6).toFixed(2)} MB (${(growth / 1e3).toFixed(0)} KB); ` +
      `wasm memory ${(wasm0 / 1e6).toFixed(2)} MB → ${(wasmBytes / 1e6).toFixed(2)} MB`
  );
  // Bounds: 1 MB of JS heap over 100 cycles (a leaked panel with its frames and DOM costs
  // ~100 KB, so 10 leaks would show), and no wasm memory growth at all past the warm-up.
  assert.ok(growth < 1e6, `JS heap grew ${growth} bytes over 100 cycles`);
  assert.equal(wasmBytes, wasm0, 'wasm linear memory grew over 100 cycles');
  assert.equal(await h.page.$('.calicoscope-root'), null, 'nothing left mounted');
});
