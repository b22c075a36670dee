import React from 'react';
import { render, screen } from '@testing-library/react';

import { PoolSection } from './PoolSection';
import type { PoolReport } from '../types';
import REPORT from '../testdata/report.json';

const pool = REPORT.pools[0] as PoolReport;

describe('PoolSection', () => {
  it('draws the trend when it has samples and says so when it has none', () => {
    const { rerender, container } = render(<PoolSection pool={pool} windowText="7 days" />);
    expect(screen.getByText('utilization, last 7 days')).toBeInTheDocument();
    expect(container.querySelectorAll('.cs-sparkline path')).toHaveLength(2); // a gap at the null
    const empty = { ...pool, trend: { times: pool.trend.times, utilization: pool.trend.times.map(() => null) } };
    rerender(<PoolSection pool={empty} windowText="7 days" />);
    expect(screen.getByText('no utilization samples over the last 7 days')).toBeInTheDocument();
    expect(container.querySelectorAll('.cs-sparkline path')).toHaveLength(0);
  });

  it('names at most 12 nodes and counts the rest', () => {
    const borrowing = Array.from({ length: 15 }, (_, i) => ({ node: `node-${i}`, count: 15 - i, countText: String(15 - i) }));
    render(<PoolSection pool={{ ...pool, borrowing }} windowText="7 days" />);
    expect(screen.getByText('node-11')).toBeInTheDocument();
    expect(screen.queryByText('node-12')).toBeNull();
    expect(screen.getByText(/and 3 more/)).toBeInTheDocument();
  });
});
