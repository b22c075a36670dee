import { type DataSourceInstanceSettings } from '@grafana/data';
import { setTemplateSrv, type TemplateSrv } from '@grafana/runtime';

import { CalicoscopeDatasource } from './datasource';
import type { CalicoOptions } from './types';

const variables: Record<string, string | string[]> = {
  pool: ['default-ipv4-ippool', 'a"b.c'],
  node: 'node-1',
  namespace: ['payments', 'shop'],
  verdict: 'deny',
  port: ['443', '8443'],
  policy: 'default.deny-all',
  cluster: ['east', 'west'],
};

// templateSrv as Grafana's: a format function gets the value (list for multi-value), csv joins.
setTemplateSrv({
  getVariables: () => [],
  containsTemplate: (t?: string) => Boolean(t && t.includes('$')),
  updateTimeRange: () => {},
  replace(target?: string, _scoped?: unknown, format?: string | Function) {
    return String(target ?? '').replace(/\$\{?(\w+)\}?/g, (m, name: string) => {
      if (!(name in variables)) {
        return m;
      }
      const v = variables[name];
      return typeof format === 'function' ? format(v) : ([] as string[]).concat(v).join(',');
    });
  },
} as unknown as TemplateSrv);

function datasource() {
  return new CalicoscopeDatasource({
    id: 1,
    uid: 'calicoscope',
    type: 'calicoscope-datasource',
    name: 'Calicoscope',
    jsonData: {},
    meta: {},
  } as unknown as DataSourceInstanceSettings<CalicoOptions>);
}

describe('CalicoscopeDatasource', () => {
  it('escapes variables in raw PromQL for their context', () => {
    const q = datasource().applyTemplateVariables(
      { refId: 'A', mode: 'raw', expr: 'sum(ipam_allocations_in_use{ippool=~"$pool", node="$node"})' },
      {}
    );
    expect(q.expr).toBe('sum(ipam_allocations_in_use{ippool=~"(default-ipv4-ippool|a\\"b\\\\.c)", node="node-1"})');
  });

  it('expands catalog filters into values, never into PromQL text', () => {
    const q = datasource().applyTemplateVariables(
      { refId: 'A', mode: 'catalog', catalog: 'ipam_pool_free', filters: { pools: ['$pool', 'extra'], nodes: ['$node'] } },
      {}
    );
    expect(q.filters).toEqual({
      clusters: [],
      pools: ['default-ipv4-ippool', 'a"b.c', 'extra'],
      nodes: ['node-1'],
      instances: [],
      syncers: [],
      sourceNamespaces: [],
      destNamespaces: [],
      actions: [],
      policies: [],
      ports: [],
    });
    expect(q.expr).toBeUndefined();
  });

  it("expands a flow entry's filters the same way: variables into values", () => {
    const q = datasource().applyTemplateVariables(
      {
        refId: 'A',
        mode: 'catalog',
        catalog: 'flows',
        filters: {
          sourceNamespaces: ['$namespace'],
          destNamespaces: ['${namespace}', 'kube-system'],
          actions: ['$verdict'],
          policies: ['$policy', 'tier/x"y'],
          ports: ['$port'],
        },
      },
      {}
    );
    expect(q.filters).toEqual({
      clusters: [],
      pools: [],
      nodes: [],
      instances: [],
      syncers: [],
      sourceNamespaces: ['payments', 'shop'],
      destNamespaces: ['payments', 'shop', 'kube-system'],
      actions: ['deny'],
      policies: ['default.deny-all', 'tier/x"y'],
      ports: ['443', '8443'],
    });
    expect(q.catalog).toBe('flows');
  });

  it('runs only queries that can run', () => {
    const ds = datasource();
    expect(ds.filterQuery({ refId: 'A', mode: 'catalog', catalog: 'ipam_pool_free' })).toBe(true);
    expect(ds.filterQuery({ refId: 'A', mode: 'catalog' })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', mode: 'raw', expr: '' })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', mode: 'raw', expr: 'up', hide: true })).toBe(false);
  });

  it('lists variable values from the backend resource the query names', async () => {
    const ds = datasource();
    const getResource = jest.spyOn(ds, 'getResource').mockResolvedValue(['default-ipv4-ippool', 'default-ipv6-ippool']);
    expect(await ds.metricFindQuery({ resource: 'pools' })).toEqual([{ text: 'default-ipv4-ippool' }, { text: 'default-ipv6-ippool' }]);
    expect(getResource).toHaveBeenCalledWith('pools');
    await expect(ds.metricFindQuery('bogus')).rejects.toThrow(
      'Pick what the variable lists: clusters, pools, nodes, hosts, instances, syncers, flow_namespaces, flow_policies'
    );
    getResource.mockResolvedValueOnce(['worker-1']);
    expect(await ds.metricFindQuery({ resource: 'nodes', clusters: '$cluster' })).toEqual([{ text: 'worker-1' }]);
    expect(getResource).toHaveBeenLastCalledWith('nodes', { cluster: ['east', 'west'] });
    getResource.mockResolvedValueOnce(['payments', 'shop']);
    expect(await ds.metricFindQuery({ resource: 'flow_namespaces' })).toEqual([{ text: 'payments' }, { text: 'shop' }]);
    expect(getResource).toHaveBeenLastCalledWith('flow_namespaces');
  });
});
