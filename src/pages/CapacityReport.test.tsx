import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';

import { CapacityReport } from './CapacityReport';
import { DATASOURCES, fakeBackend, fakeDatasources } from './testing';
import type { Report } from './types';
import REPORT from './testdata/report.json';

const report = REPORT as Report;
const location = (search: Record<string, string> = {}) => ({ pathname: '/a/calicoscope-app/report', search });

beforeEach(() => fakeDatasources());

describe('CapacityReport', () => {
  it("shows the backend's figures and sentences as given, per pool", async () => {
    const calls = fakeBackend(() => report);
    render(<CapacityReport location={location()} settings={{}} />);
    expect(await screen.findByText(report.headline)).toBeInTheDocument();
    // The first Calicoscope datasource, the default window.
    expect(calls[0]).toMatchObject({ url: '/api/datasources/uid/calico-a/resources/report', params: { window: '7d' } });
    for (const pool of report.pools) {
      const section = screen.getByRole('region', { name: pool.name });
      for (const [figure, value] of Object.entries(pool.figures)) {
        expect(section.querySelector(`[data-figure="${figure}"]`)?.firstChild).toHaveTextContent(value);
      }
      expect(within(section).getByText(pool.forecast)).toBeInTheDocument();
      expect(within(section).getByText(pool.action.text)).toBeInTheDocument();
      expect(section.querySelector('[data-action]')).toHaveAttribute('data-action', pool.action.kind);
      expect(
        within(section).getByRole('img', { name: `${pool.name}: utilization over the last 7 days` })
      ).toBeInTheDocument();
    }
    const v4 = screen.getByRole('region', { name: 'default-ipv4-ippool' });
    expect(within(v4).getByText(report.pools[0].borrowingText)).toBeInTheDocument();
    expect(within(v4).getByText(report.pools[0].leaksText)).toBeInTheDocument();
    expect(within(v4).getByText('node-0003')).toBeInTheDocument();
    // A pool without borrowers or leaks has no such paragraphs.
    const v6 = screen.getByRole('region', { name: 'default-ipv6-ippool' });
    expect(within(v6).queryByText('Nodes that borrow addresses')).toBeNull();
    expect(
      within(screen.getByRole('region', { name: 'Orphan blocks' })).getByText(report.orphans.text)
    ).toBeInTheDocument();
  });

  it('shows what policy denied when the datasource has a Goldmane, and nothing when it has none', async () => {
    const denied = {
      packets: 1200,
      policies: [{ policy: 'default/GlobalNetworkPolicy:deny-all', packets: 1200, packetsText: '1,200' }],
      text: 'In the last hour, policy denied 1,200 packets: 1,200 by default/GlobalNetworkPolicy:deny-all.',
    };
    fakeBackend(() => ({ ...report, denied }));
    const { unmount } = render(<CapacityReport location={location()} settings={{}} />);
    const section = await screen.findByRole('region', { name: 'Denied traffic' });
    expect(within(section).getByText(denied.text)).toBeInTheDocument();
    expect(within(section).getByText(denied.policies[0].policy)).toBeInTheDocument();
    // The backend's figure as written, not the raw number.
    expect(within(section).getByText(/\(1,200\)/)).toBeInTheDocument();
    unmount();
    fakeBackend(() => ({ ...report, denied: null }));
    render(<CapacityReport location={location()} settings={{}} />);
    await screen.findByText(report.headline);
    expect(screen.queryByRole('region', { name: 'Denied traffic' })).toBeNull();
  });

  it('reads the datasource and window from the URL before the app default', async () => {
    const calls = fakeBackend(() => report);
    render(
      <CapacityReport
        location={location({ datasource: 'calico-b', window: '30d' })}
        settings={{ defaultDatasource: 'calico-a' }}
      />
    );
    await screen.findByText(report.headline);
    expect(calls[0]).toMatchObject({
      url: '/api/datasources/uid/calico-b/resources/report',
      params: { window: '30d' },
    });
  });

  it('uses the app default when the URL names no datasource', async () => {
    const calls = fakeBackend(() => report);
    render(<CapacityReport location={location()} settings={{ defaultDatasource: 'calico-b' }} />);
    await screen.findByText(report.headline);
    expect(calls[0].url).toBe('/api/datasources/uid/calico-b/resources/report');
  });

  it("shows the backend's error in an alert", async () => {
    const error = 'window "7x" is not a duration such as 7d or 24h: pass window=7d';
    fakeBackend(() => Promise.reject({ status: 400, data: { error } }));
    render(<CapacityReport location={location({ window: '7x' })} settings={{}} />);
    expect(await screen.findByText(error)).toBeInTheDocument();
    expect(screen.getByText('The capacity report could not be made')).toBeInTheDocument();
  });

  it('says so when there is no Calicoscope datasource', () => {
    fakeDatasources(DATASOURCES.filter((d) => d.type !== 'calicoscope-datasource'));
    const calls = fakeBackend(() => report);
    render(<CapacityReport location={location()} settings={{}} />);
    expect(screen.getByText('No Calicoscope datasource')).toBeInTheDocument();
    expect(calls).toEqual([]);
  });

  it("downloads the backend's CSV as it is, named after the window", async () => {
    const csv = 'pool,family,size\ndefault-ipv4-ippool,IPv4,65536\n';
    const calls = fakeBackend((c) => (c.url.endsWith('report.csv') ? csv : report));
    const blobs: Blob[] = [];
    URL.createObjectURL = jest.fn((b: Blob) => (blobs.push(b), 'blob:report'));
    URL.revokeObjectURL = jest.fn();
    const names: string[] = [];
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement
    ) {
      names.push(this.download);
    });
    render(<CapacityReport location={location({ window: '24h' })} settings={{}} />);
    await screen.findByText(report.headline);
    fireEvent.click(screen.getByRole('button', { name: /Download CSV/ }));
    await waitFor(() => expect(names).toEqual(['calicoscope-capacity-24h.csv']));
    expect(calls[1]).toMatchObject({
      url: '/api/datasources/uid/calico-a/resources/report.csv',
      params: { window: '24h' },
      options: { responseType: 'text' },
    });
    const text = await new Promise((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.readAsText(blobs[0]);
    });
    expect(text).toBe(csv);
    click.mockRestore();
  });

  it('carries a print stylesheet: A4, a page per pool, controls not printed', async () => {
    fakeBackend(() => report);
    const { container } = render(<CapacityReport location={location()} settings={{}} />);
    await screen.findByText(report.headline);
    const css = container.querySelector('style')?.textContent ?? '';
    expect(css).toMatch(/@page \{ size: A4/);
    expect(css).toMatch(/\.cs-pool \{ break-before: page/);
    expect(css).toMatch(/\.cs-noprint \{ display: none/);
    expect(container.querySelectorAll('.cs-pool')).toHaveLength(report.pools.length);
    expect(container.querySelector('.cs-controls')).toHaveClass('cs-noprint');
  });
});
