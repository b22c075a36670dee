/*
 * Calicoscope panel: the IP pool topology and a utilization heatmap, drawn by Rust compiled
 * to WebAssembly. This file is Grafana's plugin module format (AMD, loaded by Grafana's
 * SystemJS); react, @grafana/data and @grafana/runtime are Grafana's own copies (externals,
 * never bundled). The wasm and its wasm-bindgen glue sit next to this file in wasm/.
 *
 * React owns a container <div>; the wasm `Panel` (panel/src/handle.rs) mounts a leptos
 * view into it once and receives data, size, options and theme as they change.
 */
define(['module', 'react', '@grafana/data', '@grafana/runtime'], function (amdModule, React, grafanaData, runtime) {
  'use strict';

  // Resolve wasm/ against this module's own URL (Grafana serves plugins from different
  // prefixes, CDN included), never a hard-coded path.
  var moduleUrl = amdModule && amdModule.uri ? amdModule.uri : 'public/plugins/calicoscope-panel/module.js';
  var base = new URL('.', new URL(moduleUrl, document.baseURI)).href;

  // One wasm instance per page, loaded on first use. After a Rust panic that instance is
  // unusable: `generation` makes the next load import a fresh copy of the glue.
  var loading = null;
  var generation = 0;
  function loadWasm() {
    if (!loading) {
      var glueUrl = base + 'wasm/calicoscope_panel.js' + (generation ? '?instance=' + generation : '');
      loading = import(/* webpackIgnore: true */ glueUrl).then(function (glue) {
        return glue.default({ module_or_path: base + 'wasm/calicoscope_panel_bg.wasm' }).then(function () {
          return glue;
        });
      });
      loading.catch(function () {
        loading = null;
      });
    }
    return loading;
  }

  // Grafana DataFrames → plain objects the wasm reads in one copy per field: numbers and
  // times as Float64Array (null → NaN), strings as arrays.
  function toFrames(series) {
    return (series || []).map(function (frame) {
      return {
        name: frame.name || '',
        refId: frame.refId || '',
        fields: (frame.fields || []).map(function (field) {
          var raw = field.values && typeof field.values.toArray === 'function' ? field.values.toArray() : field.values || [];
          var numeric = field.type === 'number' || field.type === 'time';
          var config = field.config || {};
          return {
            name: field.name,
            type: field.type,
            labels: field.labels || null,
            displayName: config.displayNameFromDS || config.displayName || undefined,
            unit: config.unit || undefined,
            values: numeric
              ? Float64Array.from(raw, function (v) {
                  return v === null || v === undefined ? NaN : +v;
                })
              : Array.from(raw),
          };
        }),
      };
    });
  }

  function setVariable(name, value) {
    var location = runtime && runtime.locationService;
    if (location) {
      var query = {};
      query['var-' + name] = value;
      location.partial(query, true);
    }
  }

  function CalicoscopePanel(props) {
    var container = React.useRef(null);
    var panel = React.useRef(null);
    var glueRef = React.useRef(null);
    var latest = React.useRef(props);
    var crashed = React.useState(null);
    var theme = React.useContext(grafanaData.ThemeContext);
    var dark = theme ? theme.isDark : true;
    latest.current = props;

    // The pools the summary and topology show come from a dashboard variable, if any.
    var poolVariable = props.options.poolVariable;
    var pools = poolVariable ? props.replaceVariables('${' + poolVariable + ':csv}') : '';
    if (pools.indexOf('${') === 0) pools = '';
    var options = React.useMemo(
      function () {
        return Object.assign({}, props.options, { pools: pools });
      },
      [props.options, pools]
    );

    // Every wasm call goes through here: a panic shows as this panel's error state and
    // the page lives on.
    function call(fn) {
      if (!panel.current) return;
      try {
        fn(panel.current);
      } catch (e) {
        var message = null;
        try {
          message = glueRef.current.last_panic();
        } catch (ignored) {
          // The wasm instance may be too broken to say more: show the JavaScript error.
        }
        panel.current = null;
        generation += 1;
        loading = null;
        crashed[1]((message || String(e && e.message ? e.message : e)) + ' (reload the dashboard to retry)');
      }
    }

    React.useEffect(function () {
      var alive = true;
      loadWasm().then(
        function (glue) {
          if (!alive || !container.current) return;
          glueRef.current = glue;
          try {
            panel.current = new glue.Panel(container.current, setVariable);
          } catch (e) {
            crashed[1](String(e));
            return;
          }
          var p = latest.current;
          call(function (x) {
            x.set_theme(dark);
            x.set_options(options);
            x.set_size(p.width, p.height);
            x.set_data(toFrames(p.data.series));
          });
        },
        function (e) {
          if (alive) crashed[1]('Could not load the panel\'s WebAssembly: ' + e);
        }
      );
      return function () {
        alive = false;
        call(function (x) {
          x.unmount();
          x.free();
        });
        panel.current = null;
      };
    }, []);

    React.useEffect(function () {
      call(function (x) {
        x.set_options(options);
      });
    }, [options]);
    React.useEffect(function () {
      call(function (x) {
        x.set_theme(dark);
      });
    }, [dark]);
    React.useEffect(function () {
      call(function (x) {
        x.set_size(props.width, props.height);
      });
    }, [props.width, props.height]);
    React.useEffect(function () {
      call(function (x) {
        x.set_data(toFrames(props.data.series));
      });
    }, [props.data]);

    return React.createElement(
      'div',
      { style: { position: 'relative', width: props.width, height: props.height } },
      React.createElement('div', { ref: container, className: 'calicoscope-root' }),
      crashed[0] &&
        React.createElement(
          'div',
          { role: 'alert', className: 'calicoscope-crash', style: { position: 'absolute', inset: 0, padding: 16, color: '#f2495c' } },
          crashed[0]
        )
    );
  }

  var plugin = new grafanaData.PanelPlugin(CalicoscopePanel).setPanelOptions(function (builder) {
    return builder
      .addRadio({
        path: 'view',
        name: 'View',
        description: 'Auto picks the topology for the IPAM topology query, else the heatmap.',
        defaultValue: 'auto',
        settings: { options: [{ value: 'auto', label: 'Auto' }, { value: 'topology', label: 'Topology' }, { value: 'heatmap', label: 'Heatmap' }] },
      })
      .addTextInput({ path: 'poolVariable', name: 'Pool variable', description: 'Dashboard variable that selects pools (summary and topology).', defaultValue: 'pool' })
      .addTextInput({ path: 'filterVariable', name: 'Click sets variable', description: 'Clicking a node sets var-<name>; empty to disable.', defaultValue: 'node' })
      .addTextInput({ path: 'rowLabel', name: 'Heatmap rows by label', description: 'node, ippool, ...; empty uses the legend.', defaultValue: '' })
      .addRadio({
        path: 'sort',
        name: 'Heatmap row order',
        defaultValue: 'peak',
        settings: { options: [{ value: 'peak', label: 'Peak' }, { value: 'name', label: 'Name' }, { value: 'pool', label: 'Pool' }] },
      })
      .addNumberInput({ path: 'maxCells', name: 'Max cells', description: 'Heatmap rows past this many cells are dropped, with a warning.', defaultValue: 4000000 })
      .addRadio({
        path: 'colorMode',
        name: 'Colour',
        defaultValue: 'continuous',
        settings: { options: [{ value: 'continuous', label: 'Palette' }, { value: 'thresholds', label: 'Thresholds' }] },
      })
      .addSelect({
        path: 'palette',
        name: 'Palette',
        defaultValue: 'viridis',
        settings: { options: [{ value: 'viridis', label: 'Viridis' }, { value: 'magma', label: 'Magma' }, { value: 'cividis', label: 'Cividis' }] },
        showIf: function (o) {
          return o.colorMode !== 'thresholds';
        },
      })
      .addNumberInput({ path: 'warn', name: 'Warn at', defaultValue: 0.8, showIf: function (o) { return o.colorMode === 'thresholds'; } })
      .addNumberInput({ path: 'critical', name: 'Critical at', defaultValue: 0.95, showIf: function (o) { return o.colorMode === 'thresholds'; } })
      .addNumberInput({ path: 'min', name: 'Scale min', description: 'Empty: from the unit (utilization 0–1) or the data.' })
      .addNumberInput({ path: 'max', name: 'Scale max' });
  });

  return { plugin: plugin };
});
