// The package and the provisioning, checked where Grafana and Docker cannot run here:
//  - the zip built by scripts/package.sh passes scripts/check-package.py, and the checker
//    really fails a broken package, binaries carrying the test harness and a panel carrying
//    its test hooks;
//  - docker-compose.yaml parses, mounts paths that exist, allows our unsigned ids, publishes
//    only on 127.0.0.1, and its Prometheus config passes promtool;
//  - provisioning files name our ids and uid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const zip = path.join(root, `dist/calicoscope-app-${version}.zip`);
const yaml = (rel) => parse(fs.readFileSync(path.join(root, rel), 'utf8'));
const ids = ['calicoscope-app', 'calicoscope-datasource', 'calicoscope-panel'];

/** The panel's test build, which scripts/test-browser.sh builds (build-panel.sh --test-hooks). */
const panelTestBuild = ['calicoscope_panel_bg.wasm', 'calicoscope_panel.js'].map((f) => path.join(root, 'target/browser/plugin/panel/wasm', f));

function check(zipPath) {
  return spawnSync('python3', [path.join(root, 'scripts/check-package.py'), zipPath], { encoding: 'utf8' });
}

test('the packaged zip passes the catalog checks', () => {
  assert.ok(fs.existsSync(zip), `${zip} missing: run bash scripts/package.sh`);
  const r = check(zip);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ok$/m);
});

/** Start a packaged backend as Grafana does and return its first stdout line (the handshake). */
async function handshake(cmd, args) {
  const { spawn } = await import('node:child_process');
  const child = spawn(cmd, args, { env: { PATH: process.env.PATH, grafana_plugin_type: 'datasource', PLUGIN_PROTOCOL_VERSIONS: '2' }, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    return await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`${cmd}: no handshake in 30 s`)), 30000);
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(out.split('\n')[0]);
        }
      });
      child.on('exit', (code) => reject(new Error(`${cmd} exited (${code}) before its handshake`)));
    });
  } finally {
    child.kill();
  }
}

test('the packaged linux binaries start and speak the go-plugin handshake (arm64 under qemu-user)', async () => {
  const dir = path.join(root, 'dist/calicoscope-app/datasource');
  const want = /^1\|2\|tcp\|127\.0\.0\.1:\d+\|grpc$/;
  assert.match(await handshake(path.join(dir, 'gpx_calicoscope_linux_amd64'), []), want);
  assert.match(await handshake('qemu-aarch64', ['-L', '/usr/aarch64-linux-gnu', path.join(dir, 'gpx_calicoscope_linux_arm64')]), want);
});

test('the checker fails a broken package, naming the rule', () => {
  // Rebuild the zip with a wrong version in the panel and a binary without its exec bit.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'calicoscope-pkg-'));
  execFileSync('python3', ['-m', 'zipfile', '-e', zip, tmp]);
  const app = path.join(tmp, 'calicoscope-app');
  const panelJson = path.join(app, 'panel/plugin.json');
  const meta = JSON.parse(fs.readFileSync(panelJson, 'utf8'));
  meta.info.version = '9.9.9';
  fs.writeFileSync(panelJson, JSON.stringify(meta));
  fs.chmodSync(path.join(app, 'datasource/gpx_calicoscope_linux_arm64'), 0o644);
  fs.rmSync(path.join(app, 'module.js.map'));
  // The panel's test build (its wasm and glue) in place of the product's.
  for (const f of panelTestBuild) fs.copyFileSync(f, path.join(app, 'panel/wasm', path.basename(f)));
  const broken = path.join(tmp, `calicoscope-app-${version}.zip`);
  execFileSync('python3', ['-m', 'zipfile', '-c', broken, 'calicoscope-app'], { cwd: tmp });
  const r = check(broken);
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /panel\/plugin\.json: info\.version '9\.9\.9' is not the package version/);
  assert.match(r.stdout, /gpx_calicoscope_linux_arm64: mode 0o644, want 0o755/);
  assert.match(r.stdout, /module\.js\.map missing at the root/);
  assert.match(r.stdout, /panel\/wasm\/calicoscope_panel_bg\.wasm: exports the panel's test hook panic_for_test/);
  assert.match(r.stdout, /panel\/wasm\/calicoscope_panel\.js: exports the panel's test hook TestHooks/);
});

test('the checker finds the panel\'s test hooks in its test build, and none in the product', () => {
  for (const f of panelTestBuild) assert.ok(fs.existsSync(f), `${f} missing: run bash scripts/test-browser.sh first`);
  // The panel component as it was before the hooks left the product: it hung the handle on the DOM.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'calicoscope-hooks-'));
  const oldModule = path.join(tmp, 'module.js');
  const module = fs.readFileSync(path.join(root, 'src/panel/components/CalicoscopePanel.tsx'), 'utf8');
  const create = 'panel.current = new glue.Panel(container.current, setVariables);';
  assert.ok(module.includes(create), 'module.js creates the Panel handle');
  fs.writeFileSync(oldModule, module.replace(create, `${create}\ncontainer.current.calicoscopePanel = panel.current;`));
  const r = spawnSync('python3', [path.join(root, 'scripts/check-package.py'), '--scan', ...panelTestBuild, oldModule], { encoding: 'utf8' });
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  // Every hook the test build has, named in the wasm's exports and in the glue's.
  for (const hook of ['panic_for_test', 'bench_heatmap', 'bench_topology', 'bench_flows', 'TestHooks']) {
    for (const file of ['calicoscope_panel_bg\\.wasm', 'calicoscope_panel\\.js']) {
      assert.match(r.stdout, new RegExp(`${file}: exports the panel's test hook ${hook}\\b`));
    }
  }
  assert.match(r.stdout, /calicoscope_panel_bg\.wasm: hangs a panel on the DOM \(calicoscopePanel\)/);
  assert.match(r.stdout, /module\.js: hangs a panel on the DOM \(calicoscopePanel\)/);
  // The product build (target/plugin/panel, also built by test-browser.sh) and the built module.js pass.
  const product = ['calicoscope_panel_bg.wasm', 'calicoscope_panel.js'].map((f) => path.join(root, 'target/plugin/panel/wasm', f));
  const ok = spawnSync('python3', [path.join(root, 'scripts/check-package.py'), '--scan', ...product, path.join(root, 'target/frontend/panel/module.js')], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
});

/** The newest file in target/debug/deps whose name starts with `prefix` and that is executable. */
function newestTestBinary(prefix) {
  const dir = path.join(root, 'target/debug/deps');
  const found = fs.readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && !f.includes('.'))
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).mode & 0o111)
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  assert.ok(found.length, `no ${prefix}* test binary in ${dir}: run cargo test --workspace first`);
  return found[0];
}

test('the checker finds the test harness in binaries that carry it', () => {
  // The demo links calicoscope-host; the fuzz regression test the backend's fuzz entry points.
  const demo = path.join(root, 'target/debug/examples/demo');
  assert.ok(fs.existsSync(demo), `${demo} missing: run cargo test --workspace first`);
  const r = spawnSync('python3', [path.join(root, 'scripts/check-package.py'), '--scan', demo,
    newestTestBinary('fuzz_regressions-')], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /examples\/demo: contains calicoscope-host/);
  assert.match(r.stdout, /fuzz_regressions-\w+: contains the backend's fuzz entry points/);
});

test('docker-compose.yaml: valid, paths exist, unsigned ids allowed, loopback only', () => {
  const compose = yaml('docker-compose.yaml');
  assert.deepEqual(Object.keys(compose.services).sort(), ['grafana', 'prometheus', 'simulator']);
  for (const [name, svc] of Object.entries(compose.services)) {
    assert.ok(svc.image, `${name} has an image`);
    for (const v of svc.volumes || []) {
      const host = v.split(':')[0];
      const built = host.includes('dist/') || host.includes('target/');
      // Build outputs exist after scripts/package.sh / cargo build; sources always.
      if (!built) assert.ok(fs.existsSync(path.join(root, host)), `${name}: ${host} does not exist`);
    }
    for (const p of svc.ports || []) assert.match(String(p), /^127\.0\.0\.1:/, `${name} publishes ${p} beyond loopback`);
  }
  const g = compose.services.grafana;
  assert.deepEqual(g.environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS.split(',').sort(), ids);
  assert.ok(g.volumes.some((v) => v.startsWith('./dist/calicoscope-app:/var/lib/grafana/plugins/')));
  assert.ok(fs.existsSync(path.join(root, 'dist/calicoscope-app/plugin.json')), 'dist/ is built (scripts/package.sh)');
  // The dashboards provider's path is where compose mounts the dashboards.
  const provider = yaml('provisioning/dashboards/calicoscope.yaml').providers[0];
  assert.ok(g.volumes.some((v) => v.split(':')[1] === provider.options.path), `a volume mounts ${provider.options.path}`);
  const prom = spawnSync('promtool', ['check', 'config', path.join(root, 'provisioning/prometheus/prometheus.yml')], { encoding: 'utf8' });
  assert.equal(prom.status, 0, prom.stdout + prom.stderr);
});

test('provisioning names our ids and the fixed datasource uid', () => {
  const ds = yaml('provisioning/datasources/calicoscope.yaml').datasources[0];
  assert.equal(ds.type, 'calicoscope-datasource');
  assert.equal(ds.uid, 'calicoscope');
  assert.equal(ds.url, '$CALICOSCOPE_PROMETHEUS_URL');
  assert.equal(yaml('provisioning/plugins/calicoscope.yaml').apps[0].type, 'calicoscope-app');
  const app = JSON.parse(fs.readFileSync(path.join(root, 'src/plugin.json'), 'utf8'));
  for (const file of fs.readdirSync(path.join(root, 'provisioning/dashboards')).filter((f) => f.endsWith('.json'))) {
    assert.ok(app.includes.some((i) => i.path === `dashboards/${file}`), `the app includes dashboards/${file}`);
  }
});
