// The install routes the README documents, checked against the package scripts/package.sh
// built (no Grafana here):
//  - the zip, extracted the way Grafana's installer extracts it (grafana cli --pluginUrl and
//    [plugins] preinstall: pkg/plugins/storage/fs.go), gives a plugin folder named after the
//    id with the app's and the nested plugins' plugin.json and executable backends; the
//    checker fails a zip whose members that installer would refuse, misplace or skip;
//  - provisioning/helm/values.yaml parses, installs the zip package.sh names for
//    package.json's version, allows exactly the ids the package contains and provisions the
//    datasource the dashboards use;
//  - the README's Installing section and docker-compose.yaml name the same ids, version and
//    zip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const dist = path.join(root, 'dist/calicoscope-app');
const json = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const yaml = (rel) => parse(fs.readFileSync(path.join(root, rel), 'utf8'));

/** The app's id and the ids of the plugins it nests, from the built plugin.json files. */
function packageIds() {
  assert.ok(fs.existsSync(path.join(dist, 'plugin.json')), `${dist} missing: run bash scripts/package.sh`);
  const app = json(path.join(dist, 'plugin.json'));
  const nested = app.includes.filter((i) => i.type === 'datasource' || i.type === 'panel').map((i) => json(path.join(dist, i.path)).id);
  assert.equal(nested.length, 2, 'the app nests a datasource and a panel');
  return { app: app.id, all: [app.id, ...nested].sort() };
}
const ids = packageIds();
// The zip name scripts/package.sh produces: dist/<id>-<version>.zip.
const zipName = `${ids.app}-${version}.zip`;
const zip = path.join(root, 'dist', zipName);
const idList = (s) => s.split(',').map((x) => x.trim()).sort();

test('the zip, extracted as Grafana\'s installer does, is a plugin folder named after the id', () => {
  assert.ok(fs.existsSync(zip), `${zip} missing: run bash scripts/package.sh`);
  const plugins = fs.mkdtempSync(path.join(os.tmpdir(), 'calicoscope-install-'));
  try {
    // Grafana's extraction (GIT_BUILD, EXEC_SUFFIXES: scripts/check-package.py, from
    // pkg/plugins/storage/fs.go): the first path component becomes the requested id, files
    // ending in an executable suffix get 0755, the others keep the zip's mode.
    execFileSync('python3', ['-c', `
import importlib.util, os, sys, zipfile
spec = importlib.util.spec_from_file_location("cp", sys.argv[1]); cp = importlib.util.module_from_spec(spec); spec.loader.exec_module(cp)
plugins, plugin_id = sys.argv[3], sys.argv[4]
for m in zipfile.ZipFile(sys.argv[2]).infolist():
    dst = os.path.join(plugins, cp.GIT_BUILD.sub(plugin_id + "/", m.filename))
    if m.is_dir():
        os.makedirs(dst, exist_ok=True); continue
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "wb") as f: f.write(zipfile.ZipFile(sys.argv[2]).read(m))
    os.chmod(dst, 0o755 if dst.endswith(cp.EXEC_SUFFIXES) else (m.external_attr >> 16) & 0o777)
`, path.join(root, 'scripts/check-package.py'), zip, plugins, ids.app]);
    assert.deepEqual(fs.readdirSync(plugins), [ids.app], 'one folder, named after the id given to the installer');
    const installed = path.join(plugins, ids.app);
    const app = json(path.join(installed, 'plugin.json'));
    assert.equal(app.id, ids.app);
    assert.equal(app.info.version, version);
    for (const inc of app.includes.filter((i) => i.type === 'datasource' || i.type === 'panel')) {
      const meta = json(path.join(installed, inc.path));
      assert.equal(meta.type, inc.type);
      if (!meta.backend) continue;
      for (const suffix of ['_linux_amd64', '_linux_arm64', '_windows_amd64.exe']) {
        const exe = path.join(installed, path.dirname(inc.path), meta.executable + suffix);
        assert.ok(fs.statSync(exe).mode & 0o100, `${exe} is executable after install`);
      }
    }
  } finally {
    fs.rmSync(plugins, { recursive: true, force: true });
  }
});

test('the checker fails members Grafana\'s installer would refuse, misplace or skip', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'calicoscope-layout-'));
  const bad = path.join(tmp, zipName);
  fs.copyFileSync(zip, bad);
  execFileSync('python3', ['-c', `
import stat, sys, zipfile
z = zipfile.ZipFile(sys.argv[1], "a")
z.writestr("calicoscope-app/../evil.txt", "x")
z.writestr("calicoscope-app/img\\\\win.txt", "x")
link = zipfile.ZipInfo("calicoscope-app/img/link.svg"); link.external_attr = (stat.S_IFLNK | 0o777) << 16
z.writestr(link, "../../../etc/passwd")
z.close()
`, bad]);
  const r = spawnSync('python3', [path.join(root, 'scripts/check-package.py'), bad], { encoding: 'utf8' });
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /calicoscope-app\/\.\.\/evil\.txt: absolute, \.\.\/ or backslash member name/);
  assert.match(r.stdout, /calicoscope-app\/img\\win\.txt: absolute, \.\.\/ or backslash member name/);
  assert.match(r.stdout, /calicoscope-app\/img\/link\.svg: a symlink/);
});

test('provisioning/helm/values.yaml installs this version\'s zip and allows exactly the package\'s ids', () => {
  const text = fs.readFileSync(path.join(root, 'provisioning/helm/values.yaml'), 'utf8');
  const values = parse(text);
  // grafana-community chart 11.1.1+: plugins -> GF_PLUGINS_PREINSTALL_SYNC, <id>@<version>@<url>.
  assert.equal(values.plugins.length, 1);
  const m = values.plugins[0].match(/^([^@]+)@([^@]+)@(https:\/\/\S+)$/);
  assert.ok(m, `${values.plugins[0]} is <id>@<version>@<zip URL>`);
  const [, id, ver, url] = m;
  assert.equal(id, ids.app);
  assert.equal(ver, version, 'the entry\'s version is package.json\'s');
  assert.equal(path.posix.basename(url), zipName, 'the URL names the zip scripts/package.sh builds');
  assert.match(url, new RegExp(`/v${version.replaceAll('.', '\\.')}/`), 'the release tag is the version');
  // The older chart's form (GF_INSTALL_PLUGINS, <url>;<id>) and the env fallback, as comments.
  const older = [...text.matchAll(/^\s*#\s*(?:- |GF_INSTALL_PLUGINS: )(https:\/\/\S+);(\S+)$/gm)];
  assert.equal(older.length, 2, 'the <url>;<id> forms for the older chart and for GF_INSTALL_PLUGINS');
  for (const [, u, i] of older) assert.deepEqual([u, i], [url, ids.app]);
  assert.deepEqual(idList(values['grafana.ini'].plugins.allow_loading_unsigned_plugins), ids.all);
  // The datasource the dashboards reference, as provisioning/ provisions it.
  const provisioned = yaml('provisioning/datasources/calicoscope.yaml').datasources[0];
  const ds = values.datasources['calicoscope.yaml'].datasources[0];
  assert.equal(ds.type, provisioned.type);
  assert.ok(ids.all.includes(ds.type));
  assert.equal(ds.uid, provisioned.uid);
});

test('the README\'s Installing section names the package\'s ids, version and zip', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.match(/^## Installing[^\n]*\n([\s\S]*?)^## /m)?.[1];
  assert.ok(section, 'README.md has an Installing section');
  const allowLists = [...section.matchAll(/(?:allow_loading_unsigned_plugins\s*=\s*|GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=)([\w,-]+)/g)];
  assert.ok(allowLists.length >= 2, 'the ini key and the variable');
  for (const [, list] of allowLists) assert.deepEqual(idList(list), ids.all);
  const zips = [...section.matchAll(/calicoscope-app-(\d[\w.-]*)\.zip/g)];
  assert.ok(zips.length >= 4);
  for (const [name, v] of zips) assert.equal(v, version, `${name} is this version's zip`);
  const cli = section.match(/grafana cli --pluginUrl (\S+) plugins install (\S+)/);
  assert.ok(cli, 'the grafana cli command');
  assert.equal(path.posix.basename(cli[1]), zipName);
  assert.equal(cli[2], ids.app);
  const preinstall = section.match(/preinstall_sync = ([^@\s]+)@([^@\s]+)@(\S+)/);
  assert.ok(preinstall, 'the preinstall_sync entry');
  assert.deepEqual([preinstall[1], preinstall[2], path.posix.basename(preinstall[3])], [ids.app, version, zipName]);
  const legacy = section.match(/GF_INSTALL_PLUGINS=(\S+);([\w-]+)/);
  assert.ok(legacy, 'the GF_INSTALL_PLUGINS form');
  assert.deepEqual([path.posix.basename(legacy[1]), legacy[2]], [zipName, ids.app]);
  const sign = section.match(/npx @grafana\/sign-plugin@latest --distDir (\S+) --rootUrls (\S+)/);
  assert.ok(sign, 'the private signing command');
  assert.equal(path.resolve(root, sign[1]), dist);
});

test('docker-compose.yaml installs by the unzip route: the folder is the id, the allow-list the package\'s ids', () => {
  const grafana = yaml('docker-compose.yaml').services.grafana;
  assert.deepEqual(idList(grafana.environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS), ids.all);
  const mount = grafana.volumes.map((v) => v.split(':')).find(([host]) => path.resolve(root, host) === dist);
  assert.ok(mount, 'dist/calicoscope-app is mounted');
  assert.equal(mount[1], `/var/lib/grafana/plugins/${ids.app}`);
});
