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
  /** Clusters, by the datasource's cluster label (a store holding several). */
  clusters?: string[];
  pools?: string[];
  nodes?: string[];
  instances?: string[];
  syncers?: string[];
  /** Flow filters (Goldmane entries). */
  sourceNamespaces?: string[];
  destNamespaces?: string[];
  /** Verdicts: allow, deny, pass. */
  actions?: string[];
  policies?: string[];
  /** Destination ports, as text ("8443"). */
  ports?: string[];
}

export type FilterName = keyof Filters;

/** The backend resources a template variable can list. */
export const RESOURCES = [
  'clusters',
  'pools',
  'nodes',
  'hosts',
  'instances',
  'syncers',
  'flow_namespaces',
  'flow_policies',
] as const;
export type Resource = (typeof RESOURCES)[number];

/** The catalog entries' component whose entries Goldmane answers (flows), not Prometheus. */
export const GOLDMANE = 'goldmane';

/**
 * One filter the editor offers. Its values come from a backend resource, a fixed list, or
 * are typed (`values: 'typed'`); dashboard variables are offered for every one.
 */
export interface FilterSpec {
  name: FilterName;
  label: string;
  tooltip: string;
  values: { resource: Resource } | { choices: readonly string[] } | 'typed';
  /** Read by Goldmane's entries (only those an entry lists are shown), else by every PromQL entry. */
  flow: boolean;
}

const MATCHERS = 'Only series with these values (added as label matchers, never spliced into text).';
const FLOW = 'Only flows with these values (sent to Goldmane as exact matches); empty means all.';

/** Every filter of the query JSON, in the editor's order: one list for the editor and for variables. */
export const FILTERS: readonly FilterSpec[] = [
  { name: 'clusters', label: 'Clusters', tooltip: MATCHERS, values: { resource: 'clusters' }, flow: false },
  { name: 'pools', label: 'Pools', tooltip: MATCHERS, values: { resource: 'pools' }, flow: false },
  { name: 'nodes', label: 'Nodes', tooltip: MATCHERS, values: { resource: 'nodes' }, flow: false },
  { name: 'instances', label: 'Instances', tooltip: MATCHERS, values: { resource: 'instances' }, flow: false },
  { name: 'syncers', label: 'Syncers', tooltip: MATCHERS, values: { resource: 'syncers' }, flow: false },
  {
    name: 'sourceNamespaces',
    label: 'Source namespaces',
    tooltip: FLOW,
    values: { resource: 'flow_namespaces' },
    flow: true,
  },
  {
    name: 'destNamespaces',
    label: 'Destination namespaces',
    tooltip: FLOW,
    values: { resource: 'flow_namespaces' },
    flow: true,
  },
  { name: 'actions', label: 'Verdicts', tooltip: FLOW, values: { choices: ['allow', 'deny', 'pass'] }, flow: true },
  {
    name: 'policies',
    label: 'Policies',
    tooltip: FLOW + ' Policy names as Goldmane lists them.',
    values: { resource: 'flow_policies' },
    flow: true,
  },
  {
    name: 'ports',
    label: 'Destination ports',
    tooltip: FLOW + ' Type a port number and press Enter.',
    values: 'typed',
    flow: true,
  },
];

/** The filters the editor shows for a catalog entry: a flow entry's own list, else the PromQL filters. */
export function filtersOf(entry: CatalogEntry | undefined): FilterSpec[] {
  if (entry?.component === GOLDMANE) {
    const names = entry.filters ?? [];
    return FILTERS.filter((f) => f.flow && names.includes(f.name));
  }
  return FILTERS.filter((f) => !f.flow);
}

export interface VariableQuery {
  resource: Resource;
  /** Only these clusters' values (`$cluster`, or names separated by commas); all when empty. */
  clusters?: string;
}

/** Resources whose values can be scoped to clusters (Prometheus's, but the clusters themselves). */
export const CLUSTER_SCOPED: readonly Resource[] = ['pools', 'nodes', 'hosts', 'instances', 'syncers'];

/**
 * The datasource's jsonData: Grafana's HTTP settings plus the Calico settings, whose keys
 * come from the backend's schema (settings.json), hence the index signature.
 */
export interface CalicoOptions extends DataSourceJsonData {
  [key: string]: unknown;
}

export interface CalicoSecureOptions {
  bearerToken?: string;
  /** PEM: the CA Goldmane's certificate chains to, and a client identity Goldmane accepts. */
  goldmaneCACert?: string;
  goldmaneClientCert?: string;
  goldmaneClientKey?: string;
}

/** One Calico setting of the config editor, as `gpx_calicoscope settings` prints it. */
export interface SettingSchema {
  key: string;
  label: string;
  description: string;
  kind: 'text' | 'number' | 'choice';
  default: string | number;
  /** `calico` (the metrics) or `goldmane` (flows). */
  section: 'calico' | 'goldmane';
  /** The values of a `choice` setting. */
  options?: Array<{ value: string; label: string }>;
}

/** One entry of the backend's `catalog` resource. */
export interface CatalogEntry {
  id: string;
  title: string;
  description: string;
  component: string;
  legend?: string;
  groupBy?: string[];
  /** A flow entry's filters (component `goldmane`): the query JSON's filter names it reads. */
  filters?: string[];
}
