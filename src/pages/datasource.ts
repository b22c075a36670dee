import { getDataSourceSrv } from '@grafana/runtime';

import { DATASOURCE_TYPE } from './types';

/** The Calicoscope datasources Grafana knows, in its order. */
export function calicoscopeDatasources(): Array<{ uid: string; name: string }> {
  return getDataSourceSrv()
    .getList()
    .filter((ds) => ds.type === DATASOURCE_TYPE)
    .map((ds) => ({ uid: ds.uid, name: ds.name }));
}

/**
 * The datasource the pages read: `?datasource=` first, then the app's default
 * (jsonData.defaultDatasource), then the first Calicoscope datasource; undefined when there is none.
 */
export function pickDatasource(fromUrl: string | undefined, fromSettings: string | undefined): string | undefined {
  return fromUrl || fromSettings || calicoscopeDatasources()[0]?.uid;
}
