// The app pages' test host: a stand-in for Grafana's frontend around the app plugin's
// module.js (not Grafana). Loaded the way Grafana loads it (SystemJS + AMD) with the real
// react, @grafana/data, @grafana/ui, @grafana/runtime and @emotion/css from npm as the shared
// modules. @grafana/runtime's services are wired as Grafana wires them at start-up: a
// backendSrv sending requests to the preview server (the demo's stand-in for Grafana's API in
// front of the real plugin process), a dataSourceSrv listing its datasources, and the real
// locationService (browser history). The app's root page is rendered as Grafana's AppRootPage
// renders it (meta from /api/plugins/calicoscope-app/settings), its config page as the
// plugin's configuration tab does.
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';
import * as grafanaData from '@grafana/data';
import * as ui from '@grafana/ui';
import * as runtime from '@grafana/runtime';
import * as emotionCss from '@emotion/css';
import { from } from 'rxjs';

// Grafana 10.4's @grafana/runtime moves SystemJS's AMD `define` aside when it loads
// (window.__grafana_amd_define) and Grafana's plugin loader puts it back for plugin modules.
if (!window.define && window.__grafana_amd_define) window.define = window.__grafana_amd_define;

const shared = { react: React, 'react-dom': ReactDOM, '@grafana/data': grafanaData, '@grafana/ui': ui, '@grafana/runtime': runtime, '@emotion/css': emotionCss };
for (const [name, ns] of Object.entries(shared)) {
  System.set('app:' + name, Object.assign({ __useDefault: true, default: ns }, ns));
}

/** Every request the plugin made through backendSrv, for the tests. */
const requests = [];

async function request({ url, method = 'GET', data, params, responseType }) {
  const query = params && Object.keys(params).length ? '?' + new URLSearchParams(params) : '';
  requests.push({ method, url: url + query, data });
  const rsp = await fetch(url + query, { method, body: data === undefined ? undefined : JSON.stringify(data), headers: { 'content-type': 'application/json' } });
  const body = responseType === 'text' ? await rsp.text() : await rsp.json().catch(() => null);
  const r = { data: body, status: rsp.status, statusText: rsp.statusText, ok: rsp.ok, headers: rsp.headers, redirected: false, type: 'basic', url, config: { url, method, data } };
  if (!rsp.ok) throw r;
  return r;
}
runtime.setBackendSrv({
  fetch: (opts) => from(request(opts)),
  datasourceRequest: (opts) => request(opts),
  request: (opts) => request(opts).then((r) => r.data),
  get: (url, params, _id, opts) => request({ ...opts, url, params }).then((r) => r.data),
  post: (url, data, opts) => request({ ...opts, url, method: 'POST', data }).then((r) => r.data),
  put: (url, data, opts) => request({ ...opts, url, method: 'PUT', data }).then((r) => r.data),
  delete: (url, data, opts) => request({ ...opts, url, method: 'DELETE', data }).then((r) => r.data),
});

/** Grafana's datasource list, from the preview's /api/datasources (filled by load()). */
let datasources = [];
function instanceSettings(ds) {
  const meta = { id: ds.type, name: 'Calicoscope', type: 'datasource', backend: true, metrics: true, info: { logos: { small: '/public/plugins/calicoscope-app/datasource/img/logo.svg', large: '' } }, module: '', baseUrl: '' };
  return { ...ds, meta, jsonData: {}, readOnly: false };
}
runtime.setDataSourceSrv({
  getList: (filters = {}) => datasources.filter((d) => !filters.type || [filters.type].flat().includes(d.type)),
  getInstanceSettings: (ref) => {
    const key = typeof ref === 'string' ? ref : ref?.uid;
    return datasources.find((d) => d.uid === key || d.name === key);
  },
  get: async () => {
    throw new Error('the app pages call the API, not datasource instances');
  },
  reload: async () => {},
  registerRuntimeDataSource: () => {},
});

const themes = { dark: grafanaData.createTheme({ colors: { mode: 'dark' } }), light: grafanaData.createTheme({ colors: { mode: 'light' } }) };
let theme = themes.dark;
let plugin;
let root;
let element;
let opens = 0;

function mount(next) {
  element = next ?? element;
  if (!root) root = ReactDOMClient.createRoot(document.getElementById('root'));
  document.body.style.background = theme.colors.background.canvas;
  document.body.style.color = theme.colors.text.primary;
  root.render(React.createElement(grafanaData.ThemeContext.Provider, { value: theme }, React.createElement(ui.GlobalStyles), element));
}

async function meta() {
  const settings = await (await fetch('/api/plugins/calicoscope-app/settings')).json();
  return { id: 'calicoscope-app', name: 'Calicoscope', type: 'app', info: { logos: {} }, module: '', baseUrl: '/public/plugins/calicoscope-app', ...settings };
}

window.app = {
  /** The React major version this host runs (19, or 18 in the Grafana 10.4 build). */
  react: React.version.split('.')[0],
  requests,
  async load(url = '/public/plugins/calicoscope-app/module.js') {
    plugin = (await System.import(url)).plugin;
    datasources = (await (await fetch('/api/datasources')).json()).map(instanceSettings);
    return true;
  },
  /**
   * Navigates to `path` and renders the app's root page there afresh (as Grafana does when the
   * app is entered), with the app's stored settings.
   */
  async open(path) {
    runtime.locationService.push(path);
    const m = await meta();
    plugin.meta = m;
    mount(React.createElement(plugin.root, { key: ++opens, meta: m, path: '/a/calicoscope-app', query: runtime.locationService.getSearchObject(), basename: '/a/calicoscope-app', onNavChanged() {} }));
  },
  /** Renders the app's configuration page (its first config page), as the plugin's page does. */
  async openConfig() {
    const m = await meta();
    plugin.meta = m;
    const page = plugin.configPages[0];
    mount(React.createElement(page.body, { plugin, query: {} }));
    return page.title;
  },
  setTheme(mode) {
    theme = themes[mode];
    mount();
  },
};
