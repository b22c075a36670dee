import React from 'react';
import { render, screen, within } from '@testing-library/react';

import { ClusterRanking } from './ClusterRanking';
import type { Report } from '../types';

const report = {
  clusters: [
    {
      cluster: 'prod-eu',
      pools: 2,
      needsAction: 1,
      soonest: 'default-ipv4-ippool',
      daysToFull: 12,
      text: "prod-eu's default-ipv4-ippool is full around 14 January 2027",
    },
    {
      cluster: 'dev',
      pools: 1,
      needsAction: 0,
      soonest: 'default-ipv4-ippool',
      daysToFull: null,
      text: "dev's default-ipv4-ippool is 12% used",
    },
  ],
  quiet: [{ cluster: 'prod-us', since: 0, text: 'No IPAM figures from prod-us since 02:10 UTC.' }],
} as unknown as Report;

describe('ClusterRanking', () => {
  it('lists the clusters in the order given, then the ones that went quiet', () => {
    render(<ClusterRanking report={report} />);
    const rows = within(screen.getByRole('table')).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.firstChild?.textContent)).toEqual(['prod-eu', 'dev']);
    expect(rows[0]).toHaveTextContent("prod-eu's default-ipv4-ippool is full around 14 January 2027");
    expect(screen.getByRole('alert')).toHaveTextContent('No IPAM figures from prod-us since 02:10 UTC.');
  });

  it('is absent for a store of one cluster', () => {
    const { container } = render(<ClusterRanking report={{ ...report, clusters: [], quiet: [] }} />);
    expect(container).toBeEmptyDOMElement();
  });
});
