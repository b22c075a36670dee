// Stand-in for Grafana's @grafana/runtime, which only Grafana itself can provide: the panel
// uses locationService.partial() to set dashboard variables on click, and config.appSubUrl
// for the datasource's resource URL (Grafana served at the root here). This one updates
// the page's query string the way Grafana does and records each call for the tests.
export const config = { appSubUrl: '' };
export const calls = [];

export const locationService = {
  partial(query, replace) {
    calls.push({ query, replace: !!replace });
    const url = new URL(window.location.href);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    window.history.replaceState(null, '', url);
  },
  getSearchObject() {
    return Object.fromEntries(new URL(window.location.href).searchParams);
  },
};
