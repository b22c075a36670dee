// The editors' test host: a stand-in for Grafana's frontend around the datasource plugin's
// module.js (not Grafana). Loaded the way Grafana loads it (SystemJS + AMD) with the real
// react, @grafana/data, @grafana/ui and @grafana/runtime from npm as the shared modules.
// @grafana/runtime's services are wired as Grafana wires them at start-up: a backendSrv that
// sends requests to the preview server (the demo's stand-in for Grafana's API in front of the
// real plugin process) and a templateSrv with a few dashboard variables.
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';
import * as grafanaData from '@grafana/data';
import * as ui from '@grafana/ui';
import * as runtime from '@grafana/runtime';
import { from } from 'rxjs';

// Grafana 10.4's @grafana/runtime moves SystemJS's AMD `define` aside when it loads
// (window.__grafana_amd_define) and Grafana's plugin loader puts it back for plugin modules:
// the host does the same, once.
if (!window.define && window.__grafana_amd_define) window.define = window.__grafana_amd_define;

for (const [name, ns] of Object.entries({ react: React, 'react-dom': ReactDOM, '@grafana/data': grafanaData, '@grafana/ui': ui, '@grafana/runtime': runtime })) {
  System.set('app:' + name, Object.assign({ __useDefault: true, default: ns }, ns));
}

async function request({ url, method = 'GET', data, params }) {
  const query = params && Object.keys(params).length ? '?' + new URLSearchParams(params) : '';
  const rsp = await fetch(url + query, { method, body: data === undefined ? undefined : JSON.stringify(data), headers: { 'content-type': 'application/json' } });
  const body = await rsp.json().catch(() => null);
  const r = { data: body, status: rsp.status, statusText: rsp.statusText, ok: rsp.ok, headers: rsp.headers, redirected: false, type: 'basic', url, config: { url, method, data } };
  if (!rsp.ok) throw r;
  return r;
}
runtime.setBackendSrv({
  fetch: (opts) => from(request(opts)),
  datasourceRequest: (opts) => request(opts),
  request: (opts) => request(opts).then((r) => r.data),
  get: (url, params) => request({ url, params }).then((r) => r.data),
  post: (url, data) => request({ url, method: 'POST', data }).then((r) => r.data),
  put: (url, data) => request({ url, method: 'PUT', data }).then((r) => r.data),
  delete: (url) => request({ url, method: 'DELETE' }).then((r) => r.data),
});

/** Dashboard variables the tests set: name → value or list of values. */
const variables = {};
runtime.setTemplateSrv({
  getVariables: () => Object.keys(variables).map((name) => ({ name, label: name, type: 'custom', multi: Array.isArray(variables[name]) })),
  containsTemplate: (t) => /\$/.test(t || ''),
  updateTimeRange() {},
  replace(target, scopedVars, format) {
    return String(target ?? '').replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g, (m, a, fmt, b) => {
      const name = a || b;
      if (!(name in variables)) return m;
      const v = variables[name];
      if (typeof format === 'function') return format(v, { name });
      const values = Array.isArray(v) ? v : [v];
      return (fmt || format) === 'pipe' ? values.join('|') : values.join(',');
    });
  },
});

const theme = grafanaData.createTheme({ colors: { mode: 'dark' } });
const settings = {
  id: 1, uid: 'calicoscope', type: 'calicoscope-datasource', name: 'Calicoscope', access: 'proxy', jsonData: {}, readOnly: false,
  meta: { id: 'calicoscope-datasource', name: 'Calicoscope', type: 'datasource', backend: true, info: { logos: {} }, module: '', baseUrl: '' },
};
let plugin;
let datasource;
let root;

function mount(element) {
  if (!root) root = ReactDOMClient.createRoot(document.getElementById('root'));
  root.render(React.createElement(grafanaData.ThemeContext.Provider, { value: theme }, element));
}

window.editors = {
  /** The React major version this host runs (19, or 18 in the Grafana 10.4 build). */
  react: React.version.split('.')[0],
  variables,
  last: null,
  async load(url = '/public/plugins/calicoscope-app/datasource/module.js') {
    plugin = (await System.import(url)).plugin;
    datasource = new plugin.DataSourceClass(settings);
    return true;
  },
  renderQueryEditor(query) {
    const Editor = plugin.components.QueryEditor;
    const props = (q) => ({ datasource, query: q, app: 'panel-editor', onRunQuery() {}, onChange: (next) => ((window.editors.last = next), mount(React.createElement(Editor, props(next)))) });
    mount(React.createElement(Editor, props(query)));
  },
  renderConfigEditor(options) {
    const Editor = plugin.components.ConfigEditor;
    const props = (o) => ({ options: o, onOptionsChange: (next) => ((window.editors.last = next), mount(React.createElement(Editor, props(next)))) });
    mount(React.createElement(Editor, props(options)));
  },
  renderVariableEditor(query) {
    const Editor = plugin.components.VariableQueryEditor;
    mount(React.createElement(Editor, { datasource, query, onChange: (q) => (window.editors.last = q) }));
  },
  /** What DataSourceWithBackend sends to /api/ds/query for `query` (variables applied). */
  interpolate: (query) => datasource.applyTemplateVariables(query, {}),
  metricFindQuery: (q) => datasource.metricFindQuery(q),
  defaultQuery: () => datasource.getDefaultQuery(),
};
