import { AppPlugin } from '@grafana/data';

import { App } from './pages/App';
import { AppConfig } from './pages/AppConfig';
import type { AppSettings } from './pages/types';

/** The Calicoscope app: its pages, its configuration, and the datasource, panel and dashboards it bundles. */
export const plugin = new AppPlugin<AppSettings>()
  .setRootPage(App)
  .addConfigPage({ title: 'Configuration', icon: 'cog', body: AppConfig, id: 'configuration' });
