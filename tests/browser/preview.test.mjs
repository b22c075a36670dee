// The demo's preview and the datasource's editors, against the real plugin process: the
// demo starts the simulator (and its Goldmane, over mutual TLS: the flow entries answer
// live), Prometheus, gpx_calicoscope through the plugin protocol and a
// stand-in for Grafana's query/resource/health API; the editors run in a host page with the
// real @grafana/ui and @grafana/runtime (tests/browser/host/editors.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, startDemo, HOST_QUERY, REACT } from './harness.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

let demo;
let b;
const missing = [];

before(async () => {
  demo = await startDemo();
  b = await launch();
  // Our own files and API calls must all resolve (the icons @grafana/ui asks Grafana's
  // server for, under /public/build/, are not ours to serve).
  b.page.on('response', (r) => r.status() === 404 && /\/(api|public\/plugins)\//.test(r.url()) && missing.push(r.url()));
});
after(async () => {
  await b?.close();
  demo?.stop();
});

const page = () => b.page;

async function dsQuery(query) {
  // A 1 s interval keeps the step at the demo's 2 s scrape interval, so the aligned range
  // ends at the newest scrape even seconds after the demo started.
  const queries = [Object.assign({ intervalMs: 1000 }, query)];
  const rsp = await fetch(demo.base + '/api/ds/query', { method: 'POST', body: JSON.stringify({ queries, from: 'now-5m', to: 'now' }) });
  return (await rsp.json()).results[query.refId || 'A'];
}

test('the preview renders the IPAM dashboard\'s Calicoscope panels with live data', async () => {
  await page().goto(demo.base + '/host/preview.html' + HOST_QUERY);
  // The preview serves the product build (no test hooks): both panels are there once their
  // status lines are past loading.
  await page().waitForFunction(
    () => {
      const status = [...document.querySelectorAll('.calicoscope-root .cs-status')].map((e) => e.textContent);
      return status.length === 2 && status.every((t) => t && t !== 'Loading…');
    },
    null,
    { timeout: 30000 }
  );
  assert.equal(await page().evaluate(() => document.querySelector('.calicoscope-root').calicoscopePanel), undefined, 'the product hangs nothing on the DOM');
  assert.match(await page().textContent('#health'), /Prometheus is reachable; Calico metrics found/);
  const status = await page().$$eval('.cs-status', (els) => els.map((e) => e.textContent));
  assert.match(status[0], /^default-ipv4-ippool \(IPv4\): \d+% used/);
  assert.match(status[1], /^\d+ rows × \d+ time buckets/);
  assert.deepEqual(missing, []);
  assert.deepEqual(b.errors, []);
});

test('the preview renders the Policy & flows dashboard: the flow matrix with live flows; a click filters the denied flows', async () => {
  await page().goto(demo.base + '/host/preview.html' + HOST_QUERY + '&dashboard=flows');
  await page().waitForFunction(
    () => /^\d+ namespaces · \d+ flows/.test(document.querySelector('.calicoscope-root .cs-status')?.textContent || ''),
    null,
    { timeout: 60000 }
  );
  // The stand-ins for Grafana's own panels show the same queries' frames.
  await page().waitForFunction(() => /^\d+ rows/.test(document.querySelector('[data-type="table"]')?.textContent || ''), null, { timeout: 30000 });
  const tables = await page().$$eval('[data-type="table"]', (els) => els.map((e) => e.textContent));
  assert.equal(tables.length, 2, 'denied flows and flows');
  // A denied pair, from the dashboard's own denied-flows query: click its cell in the matrix.
  const denied = await dsQuery({ refId: 'A', mode: 'catalog', catalog: 'denied_flows' });
  const f = denied.frames[0];
  const col = (name) => f.data.values[f.schema.fields.findIndex((x) => x.name === name)];
  const i = col('source_namespace').findIndex((ns, k) => ns && col('dest_namespace')[k]);
  const [src, dst] = [col('source_namespace')[i], col('dest_namespace')[i]];
  const box = await page().locator('.calicoscope-root canvas').first().boundingBox();
  // The product build hangs no hooks: find the cell as a user does, by hovering. Every cell,
  // with flows or not, names its pair: down the grid's left side to the source's row, then
  // along that row to the destination's column.
  const tip = async (x, y) => {
    await page().mouse.move(x, y);
    return page().evaluate(() => document.querySelector('.calicoscope-root .cs-tooltip')?.textContent || '');
  };
  const left = box.x + 120 + 3; // the names' gutter (panel/src/layout/matrix.rs GUTTER)
  let found = null;
  for (let y = box.y + 120; y < box.y + box.height && !found; y += 4) {
    if (!(await tip(left, y)).startsWith(`${src} → `)) continue;
    for (let x = left; x < box.x + box.width && !found; x += 4) {
      if ((await tip(x, y)).startsWith(`${src} → ${dst}\n`)) found = [x, y];
    }
  }
  assert.ok(found, `the matrix has a cell ${src} → ${dst}`);
  await page().mouse.click(...found);
  // The variables are set; the denied flows table follows them; the drill-down lists the pair.
  await page().waitForFunction(([src, dst]) => new URLSearchParams(location.search).get('var-source_namespace') === src && new URLSearchParams(location.search).get('var-dest_namespace') === dst, [src, dst]);
  await page().waitForSelector('.cs-drill tbody tr', { timeout: 15000 });
  await page().waitForFunction(
    ([src, dst]) => {
      const t = document.querySelector('[data-type="table"] table');
      const rows = t ? [...t.querySelectorAll('tr')].slice(1) : [];
      const heads = t ? [...t.querySelectorAll('th')].map((h) => h.textContent) : [];
      const [s, d] = [heads.indexOf('source_namespace'), heads.indexOf('dest_namespace')];
      return rows.length > 0 && rows.every((r) => r.children[s].textContent === src && r.children[d].textContent === dst);
    },
    [src, dst],
    { timeout: 30000 }
  );
  fs.mkdirSync(path.join(root, 'target/browser/screenshots'), { recursive: true });
  await page().screenshot({ path: path.join(root, `target/browser/screenshots/preview-flows.png`), fullPage: true });
  assert.deepEqual(missing, []);
  assert.deepEqual(b.errors, []);
});

test('query editor: the catalog from the backend, filters, and JSON the backend accepts', async () => {
  await page().goto(demo.base + '/host/editors.html' + HOST_QUERY);
  await page().waitForFunction(() => window.editors);
  assert.equal(await page().evaluate(() => window.editors.react), REACT, 'the host runs the React under test');
  await page().evaluate(() => window.editors.load());
  await page().evaluate(() => window.editors.renderQueryEditor({ refId: 'A', mode: 'catalog', catalog: 'ipam_pool_utilization' }));
  await page().waitForFunction(() => document.querySelector('pre[aria-label="PromQL"]')?.textContent.includes('ipam_ippool_size'));
  // Pick another question from the catalog the backend listed.
  await page().click('input[aria-label="Catalog query"]');
  await page().keyboard.type('Block fill');
  await page().keyboard.press('Enter');
  assert.equal(await page().evaluate(() => window.editors.last.catalog), 'ipam_block_fill');
  // A pool filter from the backend's `pools` resource.
  await page().click('input[aria-label="Pools"]');
  await page().keyboard.type('default-ipv4');
  await page().waitForSelector('text=default-ipv4-ippool');
  await page().keyboard.press('Enter');
  const query = await page().evaluate(() => window.editors.last);
  assert.deepEqual(query.filters.pools, ['default-ipv4-ippool']);
  await page().waitForFunction(() => document.querySelector('pre[aria-label="PromQL"]')?.textContent.includes('ippool="default-ipv4-ippool"'));
  const sent = await page().evaluate((q) => window.editors.interpolate(q), query);
  const result = await dsQuery(sent);
  assert.equal(result.error, undefined, JSON.stringify(result));
  assert.ok(result.frames.length > 0, JSON.stringify(result).slice(0, 300));
  for (const f of result.frames) assert.equal(f.schema.fields[1]?.labels?.ippool, 'default-ipv4-ippool', JSON.stringify({ sent, f }).slice(0, 1500));
  assert.deepEqual(missing, []);
});

test('raw PromQL: variables escaped for their context, and the backend accepts the result', async () => {
  await page().evaluate(() => window.editors.renderQueryEditor({ refId: 'A', mode: 'catalog', catalog: 'ipam_pool_utilization' }));
  await page().getByRole('radio', { name: 'Raw PromQL' }).click({ force: true });
  assert.equal(await page().evaluate(() => window.editors.last.mode), 'raw');
  await page().fill('textarea[aria-label="PromQL"]', 'sum by (ippool) (ipam_allocations_in_use{ippool=~"$pool"})');
  await page().click('label:has-text("Legend")').catch(() => page().keyboard.press('Tab'));
  await page().keyboard.press('Tab');
  const query = await page().evaluate(() => window.editors.last);
  assert.equal(query.expr, 'sum by (ippool) (ipam_allocations_in_use{ippool=~"$pool"})');
  const sent = await page().evaluate((q) => {
    window.editors.variables.pool = ['default-ipv4-ippool', 'a"b.c'];
    return window.editors.interpolate(q);
  }, query);
  assert.equal(sent.expr, 'sum by (ippool) (ipam_allocations_in_use{ippool=~"(default-ipv4-ippool|a\\"b\\\\.c)"})');
  const result = await dsQuery(sent);
  assert.equal(result.error, undefined, JSON.stringify(result));
  assert.equal(result.frames[0].schema.fields[1].labels.ippool, 'default-ipv4-ippool');
});

test('config editor: Grafana\'s HTTP settings plus the Calico settings', async () => {
  await page().evaluate(() =>
    window.editors.renderConfigEditor({ id: 1, uid: 'calicoscope', url: '', access: 'proxy', jsonData: {}, secureJsonFields: {}, secureJsonData: {} })
  );
  await page().waitForSelector('text=HTTP');
  await page().waitForSelector('input[name="scrapeInterval"]');
  // Every Calico setting shows the backend's default (settings.json is what
  // `gpx_calicoscope settings` prints; a backend test keeps the two equal).
  const schema = JSON.parse(fs.readFileSync(path.join(root, 'src/datasource/settings.json'), 'utf8'));
  assert.ok(schema.length >= 12, `${schema.length} settings`);
  for (const s of schema) {
    if (s.kind === 'choice') {
      // Its options as radio buttons, the default picked.
      const picked = s.options.find((o) => o.value === s.default);
      assert.ok(await page().getByRole('radio', { name: picked.label, exact: true }).isChecked(), s.key);
      continue;
    }
    const placeholder = await page().getAttribute(`input[name="${s.key}"]`, 'placeholder');
    assert.equal(placeholder, String(s.default), s.key);
  }
  await page().fill('input[name="nodeLabel"]', 'exported_node');
  assert.equal(await page().evaluate(() => window.editors.last.jsonData.nodeLabel), 'exported_node');
  await page().fill('input[name="blockAddresses"]', '256');
  assert.equal(await page().evaluate(() => window.editors.last.jsonData.blockAddresses), 256);
  assert.equal(await page().evaluate(() => window.editors.last.jsonData.nodeLabel), 'exported_node');
});

test('config editor: Goldmane\'s section, its API choice and its PEM secrets (configured, reset, typed)', async () => {
  await page().evaluate(() =>
    window.editors.renderConfigEditor({
      id: 1, uid: 'calicoscope', url: '', access: 'proxy', jsonData: {},
      secureJsonFields: { goldmaneCACert: true, goldmaneClientCert: true, goldmaneClientKey: true }, secureJsonData: {},
    })
  );
  await page().waitForSelector('input[name="goldmaneAddress"]');
  const help = await page().getByRole('heading', { name: 'Calico Goldmane (flows)' }).evaluate((h) => h.nextElementSibling.textContent);
  for (const where of ['ConfigMap goldmane-ca-bundle', 'tigera-ca-bundle.crt', 'secret node-certs', 'port-forward svc/goldmane 7443', 'goldmane.calico-system.svc']) {
    assert.ok(help.includes(where), `${where} in ${help}`);
  }
  await page().fill('input[name="goldmaneAddress"]', '127.0.0.1:7443');
  await page().fill('input[name="goldmaneServerName"]', 'goldmane.calico-system.svc');
  await page().getByRole('radio', { name: '3.30–3.31' }).click({ force: true });
  assert.deepEqual(await page().evaluate(() => window.editors.last.jsonData), {
    goldmaneAddress: '127.0.0.1:7443',
    goldmaneServerName: 'goldmane.calico-system.svc',
    goldmaneApi: '3.30',
  });
  // The three secrets are configured: shown as such, never their text, each with a Reset.
  for (const label of ['CA certificate', 'Client certificate', 'Client key']) {
    const area = page().getByRole('textbox', { name: label, exact: true });
    assert.equal(await area.inputValue(), 'configured', label);
    assert.ok(await area.isDisabled(), label);
  }
  const resets = page().getByRole('button', { name: 'Reset' });
  assert.equal(await resets.count(), 3);
  await resets.nth(1).click();
  assert.deepEqual(await page().evaluate(() => window.editors.last.secureJsonFields), {
    goldmaneCACert: true, goldmaneClientCert: false, goldmaneClientKey: true,
  });
  const cert = page().getByRole('textbox', { name: 'Client certificate', exact: true });
  assert.ok(await cert.isEnabled());
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  await cert.fill(pem);
  assert.deepEqual(await page().evaluate(() => window.editors.last.secureJsonData), { goldmaneClientCert: pem });
  assert.equal(await resets.count(), 2);
});

test('query editor: "Denied flows (Goldmane)" against the real backend and the demo\'s Goldmane', async () => {
  await page().evaluate(() => {
    window.editors.variables.ns = [];
    return window.editors.renderQueryEditor({ refId: 'A', mode: 'catalog', catalog: 'ipam_pool_utilization', filters: { pools: ['default-ipv4-ippool'] } });
  });
  await page().waitForSelector('input[aria-label="Pools"]');
  await page().click('input[aria-label="Catalog query"]');
  await page().keyboard.type('Denied flows');
  await page().keyboard.press('Enter');
  const picked = await page().evaluate(() => window.editors.last);
  assert.equal(picked.catalog, 'denied_flows');
  assert.deepEqual(picked.filters, {}, 'the pool filter does not follow to a flow entry');
  // The entry's own filters replace the PromQL ones; the preview is what Goldmane is asked.
  await page().waitForFunction(() => document.querySelector('pre[aria-label="What Goldmane is asked"]')?.textContent === 'Goldmane Flows/List where verdict is deny');
  for (const label of ['Source namespaces', 'Destination namespaces', 'Policies', 'Destination ports']) {
    assert.equal(await page().locator(`input[aria-label="${label}"]`).count(), 1, label);
  }
  for (const label of ['Pools', 'Nodes', 'Verdicts', 'Group by', 'Legend']) {
    assert.equal(await page().locator(`input[aria-label="${label}"]`).count(), 0, label);
  }
  assert.equal(await page().locator('pre[aria-label="PromQL"]').count(), 0);

  // The stored query JSON runs through /api/ds/query: one flows table, every verdict deny.
  const flows = async (query) => {
    const result = await dsQuery(await page().evaluate((q) => window.editors.interpolate(q), query));
    assert.equal(result.error, undefined, JSON.stringify(result).slice(0, 500));
    assert.equal(result.frames.length, 1);
    const frame = result.frames[0];
    assert.equal(frame.schema.name, 'flows');
    const column = (name) => {
      const i = frame.schema.fields.findIndex((f) => f.name === name);
      assert.ok(i >= 0, `no ${name} column: ${frame.schema.fields.map((f) => f.name)}`);
      return frame.data.values[i];
    };
    return { action: column('action'), dest: column('dest_namespace'), enforced: column('enforced_policies') };
  };
  const all = await flows(picked);
  assert.ok(all.action.length > 0, 'the demo\'s Goldmane has denied flows');
  assert.deepEqual([...new Set(all.action)], ['deny']);

  // A destination namespace through a dashboard variable picked in the editor: the backend
  // gets its value, and answers only that namespace's denied flows.
  const ns = all.dest.find((d) => d !== '');
  const namespaces = await page().evaluate(() => window.editors.metricFindQuery({ resource: 'flow_namespaces' }));
  assert.ok(namespaces.some((n) => n.text === ns), `${ns} in flow_namespaces`);
  await page().evaluate((v) => (window.editors.variables.ns = [v]), ns);
  await page().click('input[aria-label="Destination namespaces"]');
  await page().keyboard.type('$ns');
  await page().waitForSelector('text=$ns');
  await page().keyboard.press('Enter');
  const query = await page().evaluate(() => window.editors.last);
  assert.deepEqual(query.filters, { destNamespaces: ['$ns'] });
  // The editor previews the stored query (the variable as written); the backend gets its value.
  await page().waitForFunction(
    () => document.querySelector('pre[aria-label="What Goldmane is asked"]')?.textContent === 'Goldmane Flows/List where destination namespace is $ns and verdict is deny'
  );
  const one = await flows(query);
  assert.ok(one.action.length > 0 && one.action.length <= all.action.length, `${one.action.length} of ${all.action.length}`);
  assert.deepEqual([...new Set(one.action)], ['deny']);
  assert.deepEqual([...new Set(one.dest)], [ns]);
  assert.deepEqual(missing, []);
});

test('query editor: policy verdicts take a verdict filter; the series are the denied ones', async () => {
  await page().evaluate(() => window.editors.renderQueryEditor({ refId: 'A', mode: 'catalog', catalog: 'policy_verdicts' }));
  await page().waitForSelector('input[aria-label="Verdicts"]');
  assert.equal(await page().locator('input[aria-label="Source namespaces"]').count(), 0);
  await page().click('input[aria-label="Verdicts"]');
  await page().keyboard.type('deny');
  await page().keyboard.press('Enter');
  const query = await page().evaluate(() => window.editors.last);
  assert.deepEqual(query.filters.actions, ['deny']);
  await page().waitForFunction(() => document.querySelector('pre[aria-label="What Goldmane is asked"]')?.textContent.includes('Statistics/List'));
  const result = await dsQuery(await page().evaluate((q) => window.editors.interpolate(q), query));
  assert.equal(result.error, undefined, JSON.stringify(result).slice(0, 500));
  assert.ok(result.frames.length > 0);
  for (const f of result.frames) assert.equal(f.schema.fields[1].labels.verdict, 'denied', JSON.stringify(f.schema).slice(0, 500));
});

test('template variables come from the backend\'s resources', async () => {
  const pools = await page().evaluate(() => window.editors.metricFindQuery({ resource: 'pools' }));
  assert.deepEqual(pools.map((p) => p.text).sort(), ['default-ipv4-ippool', 'default-ipv6-ippool']);
  const nodes = await page().evaluate(() => window.editors.metricFindQuery('nodes'));
  assert.ok(nodes.length >= 40, `${nodes.length} nodes`);
  const err = await page().evaluate(() => window.editors.metricFindQuery({ resource: 'bogus' }).catch((e) => e.message));
  assert.match(err, /Pick what the variable lists: clusters, pools, nodes, hosts, instances, syncers, flow_namespaces, flow_policies/);
  // What the demo's Goldmane has seen.
  const policies = await page().evaluate(() => window.editors.metricFindQuery({ resource: 'flow_policies' }));
  assert.ok(policies.length > 0, 'flow_policies lists policies');
  // The variable editor offers Goldmane's resources beside Prometheus's.
  await page().evaluate(() => window.editors.renderVariableEditor({ resource: 'pools' }));
  await page().click('input[aria-label="Variable values"]');
  await page().keyboard.type('flow_pol');
  await page().keyboard.press('Enter');
  assert.deepEqual(await page().evaluate(() => window.editors.last), { resource: 'flow_policies' });
  assert.deepEqual(b.errors, []);
});
