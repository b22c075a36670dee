import { AppPlugin } from '@grafana/data';

/**
 * The Calicoscope app: it bundles the datasource (datasource/), the panel (panel/) and the
 * dashboards (dashboards/), which Grafana lists on the app's configuration page.
 */
export const plugin = new AppPlugin<{}>();
