import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';

/** A query: a catalog entry with filters, or raw PromQL (the backend's `query::model`). */
export interface CalicoQuery extends DataQuery {
  mode?: 'catalog' | 'raw';
  catalog?: string;
  expr?: string;
  filters?: Filters;
  groupBy?: string[];
  legend?: string;
  instant?: boolean;
  interval?: string;
}

export interface Filters {
  pools?: string[];
  nodes?: string[];
  instances?: string[];
  syncers?: string[];
}

export type FilterName = keyof Filters;

/** The catalog filters the editor offers, each filled from the backend resource of the same name. */
export const FILTERS: ReadonlyArray<{ name: FilterName; label: string }> = [
  { name: 'pools', label: 'Pools' },
  { name: 'nodes', label: 'Nodes' },
  { name: 'instances', label: 'Instances' },
  { name: 'syncers', label: 'Syncers' },
];

/** The backend resources a template variable can list. */
export const RESOURCES = ['pools', 'nodes', 'hosts', 'instances', 'syncers'] as const;
export type Resource = (typeof RESOURCES)[number];

export interface VariableQuery {
  resource: Resource;
}

/**
 * The datasource's jsonData: Grafana's HTTP settings plus the Calico settings, whose keys
 * come from the backend's schema (settings.json), hence the index signature.
 */
export interface CalicoOptions extends DataSourceJsonData {
  [key: string]: unknown;
}

export interface CalicoSecureOptions {
  bearerToken?: string;
}

/** One Calico setting of the config editor, as `gpx_calicoscope settings` prints it. */
export interface SettingSchema {
  key: string;
  label: string;
  description: string;
  kind: 'text' | 'number';
  default: string | number;
}

/** One entry of the backend's `catalog` resource. */
export interface CatalogEntry {
  id: string;
  title: string;
  description: string;
  component: string;
  legend?: string;
  groupBy?: string[];
}
