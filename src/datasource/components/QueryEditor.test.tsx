import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { setTemplateSrv, type TemplateSrv } from '@grafana/runtime';

import { QueryEditor } from './QueryEditor';
import type { CalicoscopeDatasource } from '../datasource';
import type { CalicoQuery } from '../types';

setTemplateSrv({ getVariables: () => [{ name: 'pool' }], replace: (t: string) => t } as unknown as TemplateSrv);


const CATALOG = [
  { id: 'ipam_pool_utilization', title: 'Pool utilization', description: 'Share in use', component: 'kube-controllers', legend: '{{ippool}}', groupBy: [] },
  { id: 'ipam_node_in_use', title: 'Addresses in use per node', description: 'Per node', component: 'kube-controllers', legend: '{{node}}', groupBy: ['ippool'] },
  // The flow entries as the backend lists them (goldmane/catalog.rs).
  {
    id: 'denied_flows',
    title: 'Denied flows (Goldmane)',
    description: 'The flows that policy denied',
    component: 'goldmane',
    unit: '',
    legend: '',
    groupBy: [],
    needs: '',
    filters: ['sourceNamespaces', 'destNamespaces', 'policies', 'ports'],
  },
  {
    id: 'policy_verdicts',
    title: 'Policy verdicts (Goldmane)',
    description: 'Packets per second per policy and verdict',
    component: 'goldmane',
    unit: 'pps',
    legend: '{{policy}} {{verdict}} {{direction}}',
    groupBy: [],
    needs: '',
    filters: ['policies', 'actions'],
  },
];

const RESOURCES: Record<string, unknown> = {
  catalog: CATALOG,
  pools: ['default-ipv4-ippool'],
  flow_namespaces: ['payments', 'shop'],
  flow_policies: ['default.deny-all', 'shop.allow-web'],
};

function fakeDatasource(translate: (q: CalicoQuery) => Promise<{ expr: string }>) {
  return {
    getResource: jest.fn(async (path: string) => RESOURCES[path] ?? []),
    postResource: jest.fn(async (_path: string, q: CalicoQuery) => translate(q)),
  } as unknown as CalicoscopeDatasource;
}

function renderEditor(query: CalicoQuery, ds = fakeDatasource(async (q) => ({ expr: `promql of ${q.catalog ?? q.expr}` }))) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  render(<QueryEditor query={query} datasource={ds} onChange={onChange} onRunQuery={onRunQuery} />);
  return { onChange, onRunQuery, ds };
}

describe('QueryEditor', () => {
  it("shows the PromQL the backend translates the query to, and the entry's legend", async () => {
    const { ds } = renderEditor({ refId: 'A', mode: 'catalog', catalog: 'ipam_node_in_use' });
    expect(await screen.findByLabelText('PromQL')).toHaveTextContent('promql of ipam_node_in_use');
    expect(ds.postResource).toHaveBeenCalledWith('translate', { refId: 'A', mode: 'catalog', catalog: 'ipam_node_in_use' });
    await waitFor(() => expect(screen.getByLabelText('Legend')).toHaveAttribute('placeholder', '{{node}}'));
    // The entry groups by ippool, so the group-by field is offered.
    expect(screen.getByLabelText('Group by')).toBeInTheDocument();
    expect(ds.getResource).toHaveBeenCalledWith('catalog');
    expect(ds.getResource).toHaveBeenCalledWith('pools');
  });

  it("shows the backend's reason when a query cannot run", async () => {
    const ds = fakeDatasource(() => Promise.reject({ data: { message: 'invalid PromQL at 1:5: unexpected "by"' } }));
    renderEditor({ refId: 'A', mode: 'raw', expr: 'sum by' }, ds);
    expect(await screen.findByText('This query cannot run')).toBeInTheDocument();
    expect(screen.getByText('invalid PromQL at 1:5: unexpected "by"')).toBeInTheDocument();
  });

  it('raw mode: the expression is written on blur and run', async () => {
    const { onChange, onRunQuery } = renderEditor({ refId: 'A', mode: 'raw', expr: '' });
    const area = screen.getByRole('textbox', { name: 'PromQL' });
    fireEvent.blur(area, { target: { value: 'sum(ipam_allocations_in_use{ippool=~"$pool"})' } });
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', mode: 'raw', expr: 'sum(ipam_allocations_in_use{ippool=~"$pool"})' });
    expect(onRunQuery).toHaveBeenCalled();
    await screen.findByLabelText('PromQL', { selector: 'pre' });
  });

  it('switching to raw PromQL changes the mode and runs', async () => {
    const { onChange, onRunQuery } = renderEditor({ refId: 'A', mode: 'catalog', catalog: 'ipam_pool_utilization' });
    fireEvent.click(screen.getByLabelText('Raw PromQL'));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ mode: 'raw' }));
    expect(onRunQuery).toHaveBeenCalled();
    await screen.findByLabelText('PromQL', { selector: 'pre' });
  });

  it("a Goldmane entry shows the flow filters it lists, fed by Goldmane's resources, and what Goldmane is asked", async () => {
    const ds = fakeDatasource(async (q) => ({ expr: `Goldmane Flows/List for ${q.catalog}` }));
    const { onChange } = renderEditor({ refId: 'A', mode: 'catalog', catalog: 'denied_flows', filters: { sourceNamespaces: ['shop'] } }, ds);
    expect(await screen.findByLabelText('What Goldmane is asked')).toHaveTextContent('Goldmane Flows/List for denied_flows');
    expect(screen.getByText('What Goldmane is asked:')).toBeInTheDocument();
    expect(screen.queryByLabelText('PromQL')).toBeNull();
    for (const label of ['Source namespaces', 'Destination namespaces', 'Policies', 'Destination ports']) {
      expect(screen.getByLabelText(label)).toBeInTheDocument();
    }
    // Not the entry's (its verdict is deny already), and none of the PromQL filters or controls.
    for (const label of ['Verdicts', 'Pools', 'Nodes', 'Instances', 'Syncers', 'Group by', 'Legend', 'Min step']) {
      expect(screen.queryByLabelText(label)).toBeNull();
    }
    expect(screen.queryByText('Instant')).toBeNull();
    expect(screen.getByText('shop')).toBeInTheDocument();
    await waitFor(() => expect(ds.getResource).toHaveBeenCalledWith('flow_namespaces'));
    expect(ds.getResource).toHaveBeenCalledWith('flow_policies');
    expect(ds.getResource).not.toHaveBeenCalledWith('pools');

    // A port is typed (no list), kept as text.
    const ports = screen.getByLabelText('Destination ports');
    fireEvent.change(ports, { target: { value: '8443' } });
    fireEvent.keyDown(ports, { key: 'Enter' });
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ filters: { sourceNamespaces: ['shop'], ports: ['8443'] } }));

    // A destination namespace from Goldmane's list.
    const dest = screen.getByLabelText('Destination namespaces');
    fireEvent.keyDown(dest, { key: 'ArrowDown' });
    fireEvent.click(await screen.findByText('payments'));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ filters: { sourceNamespaces: ['shop'], destNamespaces: ['payments'] } }));
  });

  it('policy verdicts offer the verdicts allow, deny and pass', async () => {
    const { onChange } = renderEditor({ refId: 'A', mode: 'catalog', catalog: 'policy_verdicts' });
    const verdicts = await screen.findByLabelText('Verdicts');
    expect(screen.getByLabelText('Policies')).toBeInTheDocument();
    expect(screen.queryByLabelText('Source namespaces')).toBeNull();
    fireEvent.keyDown(verdicts, { key: 'ArrowDown' });
    for (const v of ['allow', 'deny', 'pass']) {
      expect(await screen.findByText(v)).toBeInTheDocument();
    }
    // Dashboard variables are offered too.
    expect(screen.getByText('$pool')).toBeInTheDocument();
    fireEvent.click(screen.getByText('deny'));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ catalog: 'policy_verdicts', filters: { actions: ['deny'] } }));
  });

  it("switching between a PromQL entry and a flow entry swaps the filters and drops the other kind's values", async () => {
    const { onChange } = renderEditor({ refId: 'A', mode: 'catalog', catalog: 'ipam_node_in_use', filters: { pools: ['default-ipv4-ippool'] } });
    expect(await screen.findByLabelText('Pools')).toBeInTheDocument();
    expect(screen.queryByLabelText('Source namespaces')).toBeNull();
    const select = screen.getByLabelText('Catalog query');
    fireEvent.keyDown(select, { key: 'ArrowDown' });
    fireEvent.click(await screen.findByText('Denied flows (Goldmane)'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', mode: 'catalog', catalog: 'denied_flows', groupBy: [], filters: {} });
  });

  it("says why Goldmane's values cannot be listed (no Goldmane set up) at the filters that need them", async () => {
    const ds = fakeDatasource(async () => ({ expr: 'Goldmane Flows/List where verdict is deny' }));
    const message = 'Goldmane is not set up for this datasource: set its address in the datasource settings';
    (ds.getResource as jest.Mock).mockImplementation(async (path: string) =>
      path.startsWith('flow_') ? Promise.reject({ data: { message } }) : (RESOURCES[path] ?? [])
    );
    renderEditor({ refId: 'A', mode: 'catalog', catalog: 'denied_flows' }, ds);
    // Source and destination namespaces, and policies: three filters, each with the reason.
    await waitFor(() => expect(screen.getAllByText(message)).toHaveLength(3));
  });
});
