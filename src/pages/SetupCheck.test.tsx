import React from 'react';
import { render, screen, within } from '@testing-library/react';

import { SetupCheck } from './SetupCheck';
import { DASHBOARDS } from './components/DashboardLinks';
import { fakeBackend, fakeDatasources } from './testing';
import type { HealthAnswer } from './types';

const typhaFix =
  'Typha metrics not found: Typha metrics are off by default: set TYPHA_PROMETHEUSMETRICSENABLED=true on the calico-typha deployment and scrape port 9093';
const health: HealthAnswer = {
  status: 'OK',
  message: 'Prometheus is reachable; Calico metrics found for calico-kube-controllers (IPAM), Felix. ' + typhaFix,
  details: {
    ok: true,
    message: '',
    components: [
      { component: 'calico-kube-controllers (IPAM)', series: 1, fix: '' },
      { component: 'Felix', series: 40, fix: '' },
      { component: 'Typha', series: 0, fix: typhaFix },
    ],
    detected: { families: {}, dataplanes: [], releases: [] },
    not_applicable: [{ id: 'felix_nft_nodes', why: 'needs nftables nodes; this cluster has none' }],
  },
};
const location = (search: Record<string, string> = {}) => ({ pathname: '/a/calicoscope-app/setup', search });

beforeEach(() => fakeDatasources());

describe('SetupCheck', () => {
  it('shows each component, a missing one with its fix to copy', async () => {
    const calls = fakeBackend(() => health);
    render(<SetupCheck location={location({ datasource: 'calico-b' })} settings={{}} />);
    expect(await screen.findByText(health.message)).toBeInTheDocument();
    expect(calls[0].url).toBe('/api/datasources/uid/calico-b/health');
    expect(screen.getByLabelText('Fix for Typha')).toHaveTextContent(typhaFix);
    expect(screen.getByRole('button', { name: 'Copy: Fix for Typha' })).toBeInTheDocument();
    expect(screen.queryByLabelText('Fix for Felix')).toBeNull();
    expect(screen.getAllByText(/^Metrics found/)).toHaveLength(2);
    expect(screen.getByText('The datasource works; 1 Calico component has no metrics')).toBeInTheDocument();
    expect(screen.getByText('felix_nft_nodes')).toBeInTheDocument();
  });

  it('lists the clusters of a fleet store, each with what does not apply there', async () => {
    const west = 'west runs Calico 3.29 (nftables on 12 of 12 Felix nodes), 1 catalog query does not apply there';
    const fleet: HealthAnswer = {
      ...health,
      details: {
        ...health.details!,
        clusters: [
          { cluster: 'east', summary: 'east runs Calico 3.33 or later', missing: [], not_applicable: [] },
          {
            cluster: 'west',
            summary: west,
            missing: [],
            not_applicable: [{ id: 'felix_iptables_lock_p99', why: 'iptables' }],
          },
        ],
      },
    };
    fakeBackend(() => fleet);
    render(<SetupCheck location={location()} settings={{ defaultDatasource: 'calico-b' }} />);
    expect(await screen.findByRole('heading', { name: 'Clusters' })).toBeInTheDocument();
    const items = within(screen.getByRole('list', { name: 'Clusters' })).getAllByRole('listitem');
    expect(items.map((i) => i.textContent)).toEqual([
      'east runs Calico 3.33 or later',
      west + ': felix_iptables_lock_p99',
    ]);
  });

  it('links the three dashboards and the report', async () => {
    fakeBackend(() => health);
    render(<SetupCheck location={location()} settings={{ defaultDatasource: 'calico-b' }} />);
    await screen.findByText(health.message);
    for (const d of DASHBOARDS) {
      expect(screen.getByRole('link', { name: d.title })).toHaveAttribute('href', `/d/${d.uid}`);
    }
    expect(screen.getByRole('link', { name: 'Capacity report' })).toHaveAttribute(
      'href',
      '/a/calicoscope-app/report?datasource=calico-b'
    );
  });

  it("shows a failed check's message (Grafana answers it with HTTP 400)", async () => {
    const failed = {
      status: 'ERROR',
      message: 'Prometheus at http://prom:9090 is unreachable: connection refused',
      details: { ...health.details!, ok: false, components: [] },
    };
    fakeBackend(() => Promise.reject({ status: 400, data: failed }));
    render(<SetupCheck location={location()} settings={{}} />);
    const alert = (await screen.findByText(failed.message)).closest('[role="alert"]') as HTMLElement;
    expect(within(alert).getByText('The datasource does not work')).toBeInTheDocument();
  });
});
