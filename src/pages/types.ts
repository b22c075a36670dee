/** The app's settings (jsonData of calicoscope-app), saved by its configuration page. */
export interface AppSettings {
  /** The uid of the Calicoscope datasource the pages use when the URL names none. */
  defaultDatasource?: string;
}

/** The plugin id of the datasource the pages read from. */
export const DATASOURCE_TYPE = 'calicoscope-datasource';

/** A node and how many addresses (or blocks) it holds of something. */
export interface NodeCount {
  node: string;
  count: number;
  /** `count` as the backend writes figures (`1,024`): the page shows this. */
  countText: string;
}

/** The backend's `report` resource (backend/src/report/mod.rs): figures and sentences as given. */
export interface Report {
  window: string;
  windowText: string;
  /** ms since the epoch: the instant the figures are for. */
  at: number;
  headline: string;
  /** In a store of several clusters: each, most urgent first (empty otherwise). */
  clusters?: ClusterReport[];
  /** Clusters with IPAM figures within the window but none now. */
  quiet?: Array<{ cluster: string; since: number; text: string }>;
  pools: PoolReport[];
  orphans: Orphans;
  /** What policy denied in the last hour; absent or null when the datasource has no Goldmane. */
  denied?: Denied | null;
}

export interface Denied {
  /** The cluster the datasource's Goldmane serves (its "Goldmane's cluster" setting); empty when none. */
  cluster?: string;
  /** Packets denied in the last hour; null when Goldmane did not answer. */
  packets: number | null;
  /** Per policy (`tier/kind:[namespace/]name`), most first. */
  policies: Array<{ policy: string; packets: number; packetsText: string }>;
  text: string;
}

export type ActionKind = 'add-pool' | 'investigate-leaks' | 'watch' | 'nothing';

/** One cluster of the fleet report (backend/src/report/fleet.rs `ClusterReport`). */
export interface ClusterReport {
  cluster: string;
  pools: number;
  needsAction: number;
  soonest: string | null;
  daysToFull: number | null;
  /** `prod-eu's default-ipv4-ippool is full around 14 January 2027`. */
  text: string;
}

export interface PoolReport {
  /** The cluster the pool belongs to in a store of several; empty otherwise. */
  cluster: string;
  name: string;
  family: string;
  size: number;
  reserved: number;
  inUse: number;
  free: number;
  utilization: number | null;
  daysToFull: number | null;
  fullBy: string | null;
  leaked: number;
  borrowing: NodeCount[];
  leaking: NodeCount[];
  unaffineBlocks: number;
  trend: { times: number[]; utilization: Array<number | null> };
  figures: { used: string; free: string; reserved: string; fullBy: string };
  forecast: string;
  borrowingText: string;
  leaksText: string;
  action: { kind: ActionKind; text: string };
}

export interface Orphans {
  blocks: number;
  nodes: NodeCount[];
  text: string;
}

/** The health check's details (backend/src/plugin/health.rs), in the answer's `details`. */
export interface HealthDetails {
  ok: boolean;
  message: string;
  components: Array<{ component: string; series: number; fix: string }>;
  /** Release range, dataplanes and metric families; null when Prometheus did not answer. */
  detected: Record<string, unknown> | null;
  not_applicable: Array<{ id: string; why: string }>;
  /** Each cluster of a store that holds several (empty otherwise). */
  clusters?: ClusterHealth[];
}

/** One cluster of a fleet store (backend/src/plugin/health.rs `ClusterHealth`). */
export interface ClusterHealth {
  cluster: string;
  /** What it runs, in the health message's words. */
  summary: string;
  missing: string[];
  not_applicable: Array<{ id: string; why: string }>;
}

/** Grafana's answer to GET /api/datasources/uid/<uid>/health. */
export interface HealthAnswer {
  status: string;
  message: string;
  details?: HealthDetails;
}
