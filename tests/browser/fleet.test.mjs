// The fleet report against the real plugin process: the demo with `--clusters 3` puts three
// simulated clusters (the same pool and node names, sizes, releases and dataplanes differing)
// into one Prometheus with a `cluster` target label; the report page then ranks the clusters
// and names every pool by its cluster. What the page shows is compared with the answer the
// page itself received (the clusters keep moving); what does not move (which clusters, which
// pools, their sizes) with the simulator's make-up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, startDemo, HOST_QUERY, REACT } from './harness.mjs';

const shots = path.resolve('target/browser/screenshots');
const suffix = REACT === '19' ? '' : '-react' + REACT;
const CLUSTERS = ['cluster-01', 'cluster-02', 'cluster-03'];

let demo;
let b;

before(async () => {
  demo = await startDemo(['--nodes', '40', '--clusters', '3', '--port', '0']);
  b = await launch();
  fs.mkdirSync(shots, { recursive: true });
  await b.page.goto(demo.base + '/host/app.html' + HOST_QUERY);
  await b.page.waitForFunction(() => window.app);
  await b.page.evaluate(() => window.app.load());
});
after(async () => {
  await b?.close();
  demo?.stop();
});

test('fleet report: clusters ranked as the backend ranks them, then every pool under its own cluster', async () => {
  const page = b.page;
  await page.evaluate(() => window.app.setTheme('dark'));
  const answer = page.waitForResponse((r) => r.url().includes('/resources/report?'));
  await page.evaluate(() => window.app.open('/a/calicoscope-app/report?datasource=calicoscope&window=2m'));
  const report = await (await answer).json();
  await page.waitForFunction((n) => document.querySelectorAll('.cs-pool').length === n, report.pools.length);

  // Every cluster of the fleet, each with both of the template's pools: nothing merged.
  assert.deepEqual([...report.clusters.map((c) => c.cluster)].sort(), CLUSTERS);
  const pools = report.pools.map((p) => `${p.cluster}/${p.name}`).sort();
  assert.deepEqual(
    pools,
    CLUSTERS.flatMap((c) => [`${c}/default-ipv4-ippool`, `${c}/default-ipv6-ippool`])
  );
  // Sizes follow each cluster's node count (40, 20 and 30 nodes: /18, /19, /19 IPv4 pools).
  const v4 = Object.fromEntries(report.pools.filter((p) => p.family === 'IPv4').map((p) => [p.cluster, p.size]));
  assert.deepEqual(v4, { 'cluster-01': 16384, 'cluster-02': 8192, 'cluster-03': 8192 });
  assert.match(report.headline, /^Of 3 clusters, /);

  const view = await page.evaluate(() => ({
    headline: document.querySelector('.cs-headline')?.textContent ?? '',
    ranking: [...document.querySelectorAll('.cs-clusters tbody tr')].map((r) => [...r.cells].map((c) => c.textContent)),
    pools: [...document.querySelectorAll('.cs-pool')].map((s) => s.dataset.pool),
  }));
  assert.equal(view.headline, report.headline);
  assert.deepEqual(
    view.ranking,
    report.clusters.map((c) => [c.cluster, String(c.pools), String(c.needsAction), c.text])
  );
  assert.deepEqual(
    view.pools,
    report.pools.map((p) => `${p.cluster}/${p.name}`)
  );
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.locator('#page').screenshot({ path: path.join(shots, `report-fleet-dark${suffix}.png`) });
  assert.deepEqual(b.errors, []);
});
