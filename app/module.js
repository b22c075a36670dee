/*
 * Calicoscope app: Grafana's plugin module format (AMD). The app itself has no pages: it
 * bundles the datasource (datasource/), the panel (panel/) and the dashboards (dashboards/),
 * which Grafana lists on the app's configuration page.
 */
define(['@grafana/data'], function (grafanaData) {
  'use strict';
  return { plugin: new grafanaData.AppPlugin() };
});
