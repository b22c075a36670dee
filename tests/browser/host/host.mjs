// The test host: a stand-in for Grafana's panel chrome, not Grafana. It loads the built
// plugin's module.js the way Grafana does (SystemJS with the AMD extra, the shared modules
// registered under Grafana's names, here the real react, react-dom and @grafana/data from
// npm), builds PanelProps from the backend's frames (Grafana data frame JSON) and renders
// the plugin's panel inside a ThemeContext, as Grafana's PanelRenderer does.
import * as React from 'react';
import * as ReactDOMClient from 'react-dom/client';
import * as ReactDOM from 'react-dom';
import * as grafanaData from '@grafana/data';
import * as runtime from './runtime.mjs';

const shared = {
  react: React,
  'react-dom': ReactDOM,
  '@grafana/data': grafanaData,
  '@grafana/runtime': runtime,
};
for (const [name, ns] of Object.entries(shared)) {
  // Grafana registers shared modules this way: `app:<name>` in the import map, and the
  // namespace with a default so AMD plugins receive the module object itself.
  System.set('app:' + name, Object.assign({ __useDefault: true, default: ns }, ns));
}

// Grafana fills this registry with @grafana/ui's option editors at start-up; the host never
// shows the panel editor, so each id only needs to exist for the option builder.
grafanaData.standardEditorsRegistry.setInit(() =>
  ['radio', 'text', 'number', 'select', 'boolean', 'color', 'unit'].map((id) => ({ id, name: id, editor: () => null }))
);

const themes = { dark: grafanaData.createTheme({ colors: { mode: 'dark' } }), light: grafanaData.createTheme({ colors: { mode: 'light' } }) };
// One React root per container element id (the preview shows several panels).
const mounts = new Map();
const plugins = new Map();
let renderCounter = 0;

function loadPlugin(url) {
  if (!plugins.has(url)) plugins.set(url, System.import(url).then((m) => m.plugin));
  return plugins.get(url);
}
function panelProps(plugin, s) {
  const series = s.frames.map((f) => grafanaData.dataFrameFromJSON(f));
  const now = Date.now();
  // `s.range`: { from, to } in epoch ms (default: the last hour).
  const range = s.range || { from: now - 3600e3, to: now };
  const timeRange = { from: grafanaData.dateTime(range.from), to: grafanaData.dateTime(range.to), raw: { from: 'now-1h', to: 'now' } };
  const options = Object.assign({}, defaults(plugin), s.options || {});
  // The targets that produced the frames, as Grafana's query runner hands them on.
  const request = { targets: s.targets || [], range: timeRange };
  return {
    id: 1,
    title: 'Calicoscope',
    data: { state: grafanaData.LoadingState.Done, series, timeRange, request },
    timeRange,
    timeZone: 'browser',
    options,
    fieldConfig: { defaults: {}, overrides: [] },
    transparent: false,
    width: s.width,
    height: s.height,
    renderCounter: ++renderCounter,
    replaceVariables: (text) => text.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (m, a, b) => (s.variables || {})[a || b] ?? m),
    onOptionsChange: () => {},
    onFieldConfigChange: () => {},
    onChangeTimeRange: () => {},
    eventBus: new grafanaData.EventBusSrv(),
  };
}

/** The options' default values, from the plugin's own option builder. */
function defaults(plugin) {
  const builder = new grafanaData.PanelOptionsEditorBuilder();
  plugin.getPanelOptionsSupplier()(builder, { data: [] });
  const out = {};
  for (const item of builder.getItems()) if (item.defaultValue !== undefined) out[item.path] = item.defaultValue;
  return out;
}

const PANEL = '/plugin/panel/module.js';

window.host = {
  /** The React major version this host runs (19, or 18 in the Grafana 10.4 build). */
  react: React.version.split('.')[0],
  runtime,
  /**
   * Render (or re-render with new props) the panel into element `target`.
   * `s`: { frames, width, height, options, dark, variables, module, targets, range }.
   */
  async render(s, target = 'root') {
    const mount = mounts.get(target) || { root: null, state: null };
    const plugin = await loadPlugin(s.module || mount.state?.module || PANEL);
    mount.state = Object.assign({ width: 800, height: 400, options: {}, dark: true, module: PANEL }, mount.state || {}, s);
    if (!mount.root) mount.root = ReactDOMClient.createRoot(document.getElementById(target));
    mounts.set(target, mount);
    const props = panelProps(plugin, mount.state);
    mount.root.render(
      React.createElement(
        grafanaData.ThemeContext.Provider,
        { value: mount.state.dark ? themes.dark : themes.light },
        React.createElement(plugin.panel, props)
      )
    );
  },
  unmount(target = 'root') {
    const mount = mounts.get(target);
    if (mount?.root) mount.root.unmount();
    mounts.delete(target);
  },
  defaults: async () => defaults(await loadPlugin(PANEL)),
  /** Run targets through Grafana's query API as the preview server offers it. */
  async query(targets, { from = 'now-15m', to = 'now', intervalMs = 1000, maxDataPoints = 1000 } = {}) {
    // Dashboard variables at "All", as Grafana sends them.
    const queries = targets.map((t) =>
      Object.assign({ intervalMs, maxDataPoints }, JSON.parse(JSON.stringify(t).replace(/"\$\{?\w+\}?"/g, '"$__all"')))
    );
    const rsp = await fetch('/api/ds/query', { method: 'POST', body: JSON.stringify({ queries, from, to }) });
    const body = await rsp.json();
    return Object.values(body.results || {}).flatMap((r) => r.frames || []);
  },
};
