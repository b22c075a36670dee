// Test helpers for the pages: a recording backendSrv and a datasource list, installed into
// @grafana/runtime the way Grafana installs its own at start-up.
import {
  locationService,
  setBackendSrv,
  setDataSourceSrv,
  type BackendSrv,
  type DataSourceSrv,
} from '@grafana/runtime';

export interface Call {
  method: string;
  url: string;
  params?: unknown;
  data?: unknown;
  options?: unknown;
}

/** Answers by URL (a function may throw to fail the request); every call is recorded. */
export function fakeBackend(answer: (call: Call) => unknown): Call[] {
  const calls: Call[] = [];
  const run = async (call: Call) => {
    calls.push(call);
    return answer(call);
  };
  setBackendSrv({
    get: (url: string, params?: unknown, _id?: string, options?: unknown) =>
      run({ method: 'GET', url, params, options }),
    post: (url: string, data?: unknown, options?: unknown) => run({ method: 'POST', url, data, options }),
  } as unknown as BackendSrv);
  return calls;
}

export const DATASOURCES = [
  { uid: 'prom', name: 'Prometheus', type: 'prometheus' },
  { uid: 'calico-a', name: 'Calico A', type: 'calicoscope-datasource' },
  { uid: 'calico-b', name: 'Calico B', type: 'calicoscope-datasource' },
].map((d, i) => ({
  ...d,
  id: i + 1,
  meta: { id: d.type, name: d.name, info: { logos: { small: '' } } },
  jsonData: {},
  access: 'proxy',
  readOnly: false,
}));

export function fakeDatasources(list = DATASOURCES) {
  setDataSourceSrv({
    getList: (filters?: { type?: string | string[] }) =>
      list.filter((d) => !filters?.type || [filters.type].flat().includes(d.type)),
    getInstanceSettings: (ref: unknown) => {
      const uid = typeof ref === 'string' ? ref : (ref as { uid?: string } | null)?.uid;
      return list.find((d) => d.uid === uid || d.name === uid);
    },
    get: async () => ({}),
    reload: async () => {},
    registerRuntimeDataSource: () => {},
  } as unknown as DataSourceSrv);
}

/** Puts the page at `path` (with its query string), as Grafana's router would. */
export function goTo(path: string) {
  locationService.push(path);
}
