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
];

function fakeDatasource(translate: (q: CalicoQuery) => Promise<{ expr: string }>) {
  return {
    getResource: jest.fn(async (path: string) => (path === 'catalog' ? CATALOG : path === 'pools' ? ['default-ipv4-ippool'] : [])),
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
});
