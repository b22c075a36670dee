// grafanaDependency is a range we have checked: every @grafana/data, @grafana/ui and
// @grafana/runtime name our AMD modules use exists in the type declarations of the OLDEST
// version the range allows (downloaded from the npm registry once, cached under
// ~/.cache/calicoscope/grafana-packages-<version>); the newest versions are what
// package-lock.json installs and the browser tests run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const range = JSON.parse(fs.readFileSync(path.join(root, 'app/plugin.json'), 'utf8')).dependencies.grafanaDependency;
const oldest = range.match(/^>=(\d+\.\d+\.\d+)$/)?.[1];

/** Module → { factory parameter name → package } as their define() calls declare them. */
const MODULES = {
  'app/module.js': { grafanaData: '@grafana/data' },
  'app/datasource/module.js': { grafanaData: '@grafana/data', ui: '@grafana/ui', runtime: '@grafana/runtime' },
  'panel/module.js': { grafanaData: '@grafana/data', runtime: '@grafana/runtime' },
};
/** Methods called on objects those packages return (option builders, plugin classes). */
const METHODS = {
  '@grafana/data': ['getDefaultQuery', 'setPanelOptions', 'addRadio', 'addTextInput', 'addSelect', 'addNumberInput', 'setConfigEditor', 'setQueryEditor', 'setVariableQueryEditor'],
  '@grafana/runtime': ['getResource', 'postResource', 'applyTemplateVariables', 'filterQuery', 'getVariables', 'partial'],
};

function declarations(pkg, version) {
  const cache = path.join(os.homedir(), '.cache/calicoscope', `grafana-packages-${version}`);
  const dir = path.join(cache, pkg.replace('/', '__'));
  if (!fs.existsSync(path.join(dir, 'package'))) {
    fs.mkdirSync(dir, { recursive: true });
    const tgz = execFileSync('npm', ['pack', `${pkg}@${version}`, '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['-xzf', path.join(dir, tgz), '-C', dir]);
  }
  let text = '';
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.d.ts')) text += fs.readFileSync(p, 'utf8') + '\n';
    }
  };
  walk(path.join(dir, 'package'));
  return text;
}

test(`every Grafana API our modules use exists in ${range} (checked at ${oldest})`, () => {
  assert.ok(oldest, `grafanaDependency ${range} should be ">=x.y.z"`);
  const used = {};
  for (const [file, params] of Object.entries(MODULES)) {
    const src = fs.readFileSync(path.join(root, file), 'utf8');
    for (const [param, pkg] of Object.entries(params)) {
      for (const m of src.matchAll(new RegExp(`\\b${param}\\.(\\w+)`, 'g'))) (used[pkg] ||= new Set()).add(m[1]);
    }
  }
  for (const [pkg, names] of Object.entries(METHODS)) names.forEach((n) => (used[pkg] ||= new Set()).add(n));
  const missing = [];
  let checked = 0;
  for (const [pkg, names] of Object.entries(used)) {
    const dts = declarations(pkg, oldest);
    assert.ok(dts.length > 10000, `${pkg}@${oldest} has type declarations`);
    for (const name of names) {
      checked++;
      if (!new RegExp(`\\b${name}\\b`).test(dts)) missing.push(`${pkg}.${name}`);
    }
  }
  console.log(`# ${checked} Grafana API names checked against ${oldest}`);
  assert.deepEqual(missing, [], `not in ${oldest}: raise grafanaDependency or avoid them`);
  assert.ok(checked >= 30, `checked ${checked} names`);
});
