/*
 * Calicoscope datasource, frontend: Grafana's plugin module format (AMD). Queries run in the
 * Rust backend (gpx_calicoscope_<os>_<arch>); this module only edits them:
 *  - ConfigEditor: Grafana's standard HTTP / auth settings (@grafana/ui DataSourceHttpSettings)
 *    plus the Calico settings the backend reads (label names, job regexes, scrape interval...);
 *  - QueryEditor: the catalog of named Calico queries (from the backend's `catalog` resource)
 *    with pool / node / instance / syncer filters, group-by, legend, instant; or raw PromQL;
 *    the PromQL the backend will run is shown under it (the `translate` resource);
 *  - VariableQueryEditor: template variables from the `pools`, `nodes`, `hosts`, `instances`
 *    and `syncers` resources.
 * react, @grafana/data, @grafana/runtime and @grafana/ui are Grafana's own (externals).
 */
define(['module', 'react', '@grafana/data', '@grafana/runtime', '@grafana/ui'], function (module, React, grafanaData, runtime, ui) {
  'use strict';
  var h = React.createElement;
  var RESOURCES = ['pools', 'nodes', 'hosts', 'instances', 'syncers'];
  var FILTERS = [
    ['pools', 'Pools', 'pools'],
    ['nodes', 'Nodes', 'nodes'],
    ['instances', 'Instances', 'instances'],
    ['syncers', 'Syncers', 'syncers'],
  ];

  // ---- template variables -------------------------------------------------------------
  // Raw PromQL: a single value is escaped as a label value (safe inside "..."); a multi-value
  // becomes a regex alternation of escaped values (safe inside =~"..."). A variable used
  // outside a string literal (as a metric name, a duration, a function argument) is inserted
  // as it is: quote variables in raw expressions. Catalog filters are never spliced into
  // PromQL text: the backend adds them as label matchers on the parsed expression.
  function labelValue(s) {
    return String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  }
  function regexValue(s) {
    return labelValue(String(s).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
  function promqlFormat(value) {
    if (Array.isArray(value)) return value.length === 1 ? regexValue(value[0]) : '(' + value.map(regexValue).join('|') + ')';
    return labelValue(value);
  }
  function expandList(list, scopedVars) {
    var srv = runtime.getTemplateSrv();
    var out = [];
    (list || []).forEach(function (v) {
      srv
        .replace(String(v), scopedVars, 'csv')
        .split(',')
        .forEach(function (x) {
          if (x !== '') out.push(x);
        });
    });
    return out;
  }

  class CalicoscopeDatasource extends runtime.DataSourceWithBackend {
    constructor(settings) {
      super(settings);
    }
    getDefaultQuery() {
      return { mode: 'catalog', catalog: 'ipam_pool_utilization', filters: {} };
    }
    filterQuery(q) {
      return !q.hide && (q.mode === 'raw' ? !!q.expr : !!q.catalog);
    }
    applyTemplateVariables(q, scopedVars) {
      var srv = runtime.getTemplateSrv();
      var filters = {};
      FILTERS.forEach(function (f) {
        filters[f[0]] = expandList(q.filters && q.filters[f[0]], scopedVars);
      });
      return Object.assign({}, q, {
        filters: filters,
        expr: q.expr ? srv.replace(q.expr, scopedVars, promqlFormat) : q.expr,
        legend: q.legend ? srv.replace(q.legend, scopedVars) : q.legend,
      });
    }
    /** Template variables: `{ resource: 'pools' }` (or just `'pools'`). */
    metricFindQuery(query) {
      var resource = typeof query === 'string' ? query : query && query.resource;
      if (RESOURCES.indexOf(resource) < 0) return Promise.reject(new Error('Pick what the variable lists: ' + RESOURCES.join(', ')));
      return this.getResource(resource).then(function (values) {
        return (values || []).map(function (v) {
          return { text: String(v) };
        });
      });
    }
  }

  // ---- config editor ------------------------------------------------------------------
  // The Calico settings (key, label, help, default) are the backend's: settings.json beside
  // this module is what `gpx_calicoscope settings` prints (a backend test keeps them equal).
  var settingsSchema = null;
  function loadSettingsSchema() {
    if (!settingsSchema) {
      settingsSchema = fetch(new URL('settings.json', module.uri).href).then(function (r) {
        if (!r.ok) throw new Error('settings.json: HTTP ' + r.status);
        return r.json();
      });
    }
    return settingsSchema;
  }
  function useSettingsSchema() {
    var state = React.useState([]);
    React.useEffect(function () {
      var alive = true;
      loadSettingsSchema().then(function (s) {
        if (alive) state[1](s);
      });
      return function () {
        alive = false;
      };
    }, []);
    return state[0];
  }

  function ConfigEditor(props) {
    var schema = useSettingsSchema();
    var options = props.options;
    var jsonData = options.jsonData || {};
    var secure = options.secureJsonFields || {};
    function setJson(key, value) {
      var next = Object.assign({}, jsonData);
      next[key] = value;
      props.onOptionsChange(Object.assign({}, options, { jsonData: next }));
    }
    function setSecret(key, value, reset) {
      var data = Object.assign({}, options.secureJsonData || {});
      var fields = Object.assign({}, secure);
      data[key] = reset ? '' : value;
      if (reset) fields[key] = false;
      props.onOptionsChange(Object.assign({}, options, { secureJsonData: data, secureJsonFields: fields }));
    }
    return h(
      'div',
      { className: 'calicoscope-config' },
      h(ui.DataSourceHttpSettings, {
        defaultUrl: 'http://localhost:9090',
        dataSourceConfig: options,
        onChange: props.onOptionsChange,
        showAccessOptions: false,
      }),
      h('h3', { className: 'page-heading' }, 'Bearer token'),
      h(
        ui.InlineField,
        { label: 'Token', labelWidth: 24, tooltip: 'Sent as Authorization: Bearer <token>; stored encrypted.' },
        h(ui.SecretInput, {
          width: 40,
          isConfigured: !!secure.bearerToken,
          value: (options.secureJsonData || {}).bearerToken || '',
          placeholder: 'token',
          onChange: function (e) {
            setSecret('bearerToken', e.currentTarget.value);
          },
          onReset: function () {
            setSecret('bearerToken', '', true);
          },
        })
      ),
      h('h3', { className: 'page-heading' }, 'Calico'),
      schema.map(function (s) {
        var value = jsonData[s.key] === undefined ? '' : String(jsonData[s.key]);
        return h(
          ui.InlineField,
          { key: s.key, label: s.label, labelWidth: 24, tooltip: s.description },
          h(ui.Input, {
            width: 40,
            name: s.key,
            placeholder: String(s.default),
            value: value,
            onChange: function (e) {
              var v = e.currentTarget.value;
              setJson(s.key, s.kind === 'number' ? (v === '' ? undefined : Number(v)) : v);
            },
          })
        );
      })
    );
  }

  // ---- query editor -------------------------------------------------------------------
  function useResource(datasource, path) {
    var state = React.useState(null);
    React.useEffect(
      function () {
        var alive = true;
        datasource.getResource(path).then(
          function (v) {
            if (alive) state[1]({ value: v });
          },
          function (e) {
            if (alive) state[1]({ error: (e && (e.data && e.data.message)) || String(e && e.message ? e.message : e) });
          }
        );
        return function () {
          alive = false;
        };
      },
      [datasource, path]
    );
    return state[0];
  }

  function variableOptions() {
    return runtime
      .getTemplateSrv()
      .getVariables()
      .map(function (v) {
        return { label: '$' + v.name, value: '$' + v.name };
      });
  }

  function FilterField(props) {
    var loaded = useResource(props.datasource, props.resource);
    var values = (props.query.filters && props.query.filters[props.name]) || [];
    var options = variableOptions().concat(
      ((loaded && loaded.value) || []).map(function (v) {
        return { label: String(v), value: String(v) };
      })
    );
    return h(
      ui.InlineField,
      { label: props.label, labelWidth: 14, tooltip: 'Only series with these values (added as label matchers, never spliced into text).' },
      h(ui.MultiSelect, {
        'aria-label': props.label,
        width: 40,
        options: options,
        value: values,
        allowCustomValue: true,
        isLoading: !loaded,
        placeholder: 'all',
        onChange: function (selected) {
          var filters = Object.assign({}, props.query.filters || {});
          filters[props.name] = (selected || []).map(function (o) {
            return o.value;
          });
          props.onChange(Object.assign({}, props.query, { filters: filters }));
          props.onRunQuery();
        },
      })
    );
  }

  function PromqlPreview(props) {
    var state = React.useState(null);
    var body = JSON.stringify(props.query);
    React.useEffect(
      function () {
        var alive = true;
        props.datasource.postResource('translate', props.query).then(
          function (r) {
            if (alive) state[1]({ expr: r && r.expr });
          },
          function (e) {
            if (alive) state[1]({ error: (e && e.data && e.data.message) || String(e && e.message ? e.message : e) });
          }
        );
        return function () {
          alive = false;
        };
      },
      [body]
    );
    var s = state[0];
    if (!s) return null;
    if (s.error) return h(ui.Alert, { severity: 'error', title: 'This query cannot run' }, s.error);
    return h('pre', { className: 'calicoscope-promql', 'aria-label': 'PromQL' }, s.expr);
  }

  function QueryEditor(props) {
    var query = props.query;
    var ds = props.datasource;
    var mode = query.mode || 'catalog';
    var catalog = useResource(ds, 'catalog');
    var entries = (catalog && catalog.value) || [];
    var entry = entries.filter(function (e) {
      return e.id === query.catalog;
    })[0];
    function set(patch, run) {
      props.onChange(Object.assign({}, query, patch));
      if (run) props.onRunQuery();
    }
    var rows = [
      h(
        ui.InlineFieldRow,
        { key: 'mode' },
        h(
          ui.InlineField,
          { label: 'Query', labelWidth: 14 },
          h(ui.RadioButtonGroup, {
            options: [
              { label: 'Calico catalog', value: 'catalog' },
              { label: 'Raw PromQL', value: 'raw' },
            ],
            value: mode,
            onChange: function (v) {
              set({ mode: v }, true);
            },
          })
        ),
        h(
          ui.InlineField,
          { label: 'Instant', tooltip: 'Evaluate at the end of the range only (tables, stats, the topology).' },
          h(ui.InlineSwitch, {
            value: !!query.instant,
            onChange: function (e) {
              set({ instant: e.currentTarget.checked }, true);
            },
          })
        )
      ),
    ];
    if (mode === 'catalog') {
      rows.push(
        h(
          ui.InlineField,
          { key: 'catalog', label: 'Question', labelWidth: 14, grow: true, tooltip: entry ? entry.description : 'A named Calico query', invalid: !!(catalog && catalog.error), error: catalog && catalog.error },
          h(ui.Select, {
            'aria-label': 'Catalog query',
            width: 60,
            isLoading: !catalog,
            options: entries.map(function (e) {
              return { label: e.title, value: e.id, description: e.component + ' · ' + e.id };
            }),
            value: query.catalog || null,
            onChange: function (o) {
              set({ catalog: o.value, groupBy: [] }, true);
            },
          })
        )
      );
      rows.push(
        h(
          ui.InlineFieldRow,
          { key: 'filters' },
          FILTERS.map(function (f) {
            return h(FilterField, { key: f[0], name: f[0], label: f[1], resource: f[2], datasource: ds, query: query, onChange: props.onChange, onRunQuery: props.onRunQuery });
          })
        )
      );
      if (entry && entry.groupBy && entry.groupBy.length) {
        rows.push(
          h(
            ui.InlineField,
            { key: 'groupBy', label: 'Group by', labelWidth: 14 },
            h(ui.MultiSelect, {
              'aria-label': 'Group by',
              options: entry.groupBy.map(function (g) {
                return { label: g, value: g };
              }),
              value: query.groupBy || [],
              onChange: function (sel) {
                set({ groupBy: (sel || []).map(function (o) { return o.value; }) }, true);
              },
            })
          )
        );
      }
    } else {
      rows.push(
        h(
          ui.InlineField,
          { key: 'expr', label: 'PromQL', labelWidth: 14, grow: true },
          h(ui.TextArea, {
            'aria-label': 'PromQL',
            rows: 3,
            defaultValue: query.expr || '',
            placeholder: 'sum by (ippool) (ipam_allocations_in_use)',
            onBlur: function (e) {
              set({ expr: e.currentTarget.value }, true);
            },
          })
        )
      );
    }
    rows.push(
      h(
        ui.InlineFieldRow,
        { key: 'legend' },
        h(
          ui.InlineField,
          { label: 'Legend', labelWidth: 14, tooltip: 'e.g. {{ippool}} on {{node}}; empty uses the question\'s default.' },
          h(ui.Input, {
            'aria-label': 'Legend',
            width: 40,
            placeholder: entry ? entry.legend : '{{label}}',
            defaultValue: query.legend || '',
            onBlur: function (e) {
              set({ legend: e.currentTarget.value }, true);
            },
          })
        ),
        h(
          ui.InlineField,
          { label: 'Min step', tooltip: 'Lower bound on the step, e.g. 1m; empty uses the scrape interval.' },
          h(ui.Input, {
            'aria-label': 'Min step',
            width: 12,
            placeholder: 'auto',
            defaultValue: query.interval || '',
            onBlur: function (e) {
              set({ interval: e.currentTarget.value }, true);
            },
          })
        )
      )
    );
    rows.push(h(PromqlPreview, { key: 'preview', datasource: ds, query: Object.assign({ mode: mode }, query) }));
    return h('div', { className: 'calicoscope-query-editor' }, rows);
  }

  function VariableQueryEditor(props) {
    var resource = (props.query && props.query.resource) || (typeof props.query === 'string' ? props.query : 'pools');
    return h(
      ui.InlineField,
      { label: 'Values of', labelWidth: 14 },
      h(ui.Select, {
        'aria-label': 'Variable values',
        width: 30,
        options: RESOURCES.map(function (r) {
          return { label: r, value: r };
        }),
        value: resource,
        onChange: function (o) {
          props.onChange({ resource: o.value }, o.value);
        },
      })
    );
  }

  var plugin = new grafanaData.DataSourcePlugin(CalicoscopeDatasource)
    .setConfigEditor(ConfigEditor)
    .setQueryEditor(QueryEditor)
    .setVariableQueryEditor(VariableQueryEditor);

  return { plugin: plugin, CalicoscopeDatasource: CalicoscopeDatasource, promqlFormat: promqlFormat };
});
