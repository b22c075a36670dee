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
let root = null;
let pluginPromise = null;
let state = null;
let renderCounter = 0;

function loadPlugin(url) {
  if (!pluginPromise) pluginPromise = System.import(url).then((m) => m.plugin);
  return pluginPromise;
}

function panelProps(plugin, s) {
  const series = s.frames.map((f) => grafanaData.dataFrameFromJSON(f));
  const now = Date.now();
  const timeRange = { from: grafanaData.dateTime(now - 3600e3), to: grafanaData.dateTime(now), raw: { from: 'now-1h', to: 'now' } };
  const options = Object.assign({}, defaults(plugin), s.options || {});
  return {
    id: 1,
    title: 'Calicoscope',
    data: { state: grafanaData.LoadingState.Done, series, timeRange },
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

window.host = {
  runtime,
  /** Render (or re-render with new props) the panel. `s`: { frames, width, height, options, dark, variables }. */
  async render(s) {
    const plugin = await loadPlugin(s.module || '/plugin/panel/module.js');
    state = Object.assign({ width: 800, height: 400, options: {}, dark: true }, state || {}, s);
    if (!root) root = ReactDOMClient.createRoot(document.getElementById('root'));
    const props = panelProps(plugin, state);
    const Panel = plugin.panel;
    root.render(
      React.createElement(grafanaData.ThemeContext.Provider, { value: state.dark ? themes.dark : themes.light }, React.createElement(Panel, props))
    );
  },
  unmount() {
    if (root) root.unmount();
    root = null;
    state = null;
  },
  defaults: async () => defaults(await loadPlugin('/plugin/panel/module.js')),
};
