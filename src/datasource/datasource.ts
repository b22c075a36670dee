import type {
  CoreApp,
  DataSourceInstanceSettings,
  MetricFindValue,
  ScopedVars,
} from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';

import { promqlFormat } from './promql';
import { CLUSTER_SCOPED, FILTERS, RESOURCES, type CalicoOptions, type CalicoQuery, type Filters, type Resource, type VariableQuery } from './types';

/**
 * The datasource's frontend half: queries run in the Rust backend (gpx_calicoscope_<os>_<arch>);
 * this class applies dashboard variables and lists variable values from the backend's resources.
 */
export class CalicoscopeDatasource extends DataSourceWithBackend<CalicoQuery, CalicoOptions> {
  constructor(settings: DataSourceInstanceSettings<CalicoOptions>) {
    super(settings);
  }

  getDefaultQuery(_app: CoreApp): Partial<CalicoQuery> {
    return { mode: 'catalog', catalog: 'ipam_pool_utilization', filters: {} };
  }

  filterQuery(query: CalicoQuery): boolean {
    return !query.hide && (query.mode === 'raw' ? Boolean(query.expr) : Boolean(query.catalog));
  }

  applyTemplateVariables(query: CalicoQuery, scopedVars: ScopedVars): CalicoQuery {
    const srv = getTemplateSrv();
    const filters: Filters = {};
    for (const { name } of FILTERS) {
      filters[name] = expandList(query.filters?.[name], scopedVars);
    }
    return {
      ...query,
      filters,
      expr: query.expr ? srv.replace(query.expr, scopedVars, promqlFormat) : query.expr,
      legend: query.legend ? srv.replace(query.legend, scopedVars) : query.legend,
    };
  }

  /** Template variables: `{ resource: 'pools', clusters: '$cluster' }` (or just `'pools'`). */
  async metricFindQuery(query: VariableQuery | string, options?: { scopedVars?: ScopedVars }): Promise<MetricFindValue[]> {
    const resource = typeof query === 'string' ? query : query?.resource;
    if (!isResource(resource)) {
      throw new Error('Pick what the variable lists: ' + RESOURCES.join(', '));
    }
    const scoped = typeof query === 'string' || !CLUSTER_SCOPED.includes(resource) ? [] : [query.clusters];
    const cluster = expandList(scoped.filter((c): c is string => Boolean(c)), options?.scopedVars ?? {});
    const values: unknown[] =
      (await (cluster.length > 0 ? this.getResource(resource, { cluster }) : this.getResource(resource))) ?? [];
    return values.map((v) => ({ text: String(v) }));
  }
}

export function isResource(value: unknown): value is Resource {
  return (RESOURCES as readonly unknown[]).includes(value);
}

/** Filter values with variables expanded (a multi-value variable becomes several values). */
function expandList(list: string[] | undefined, scopedVars: ScopedVars): string[] {
  const srv = getTemplateSrv();
  return (list ?? []).flatMap((v) =>
    srv
      .replace(String(v), scopedVars, 'csv')
      .split(',')
      .filter((x) => x !== '')
  );
}
