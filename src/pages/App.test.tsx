import React from 'react';
import { act, render, screen } from '@testing-library/react';
import type { AppRootProps } from '@grafana/data';

import { App } from './App';
import { fakeBackend, fakeDatasources, goTo } from './testing';
import type { AppSettings } from './types';
import REPORT from './testdata/report.json';

const props = {
  meta: { id: 'calicoscope-app', jsonData: { defaultDatasource: 'calico-b' } },
  path: '/a/calicoscope-app',
  query: {},
} as unknown as AppRootProps<AppSettings>;

describe('App', () => {
  it('routes by the path and follows navigation, without react-router', async () => {
    fakeDatasources();
    const calls = fakeBackend((c) =>
      c.url.endsWith('/health') ? { status: 'OK', message: 'all good', details: undefined } : REPORT
    );
    goTo('/a/calicoscope-app/report?window=30d');
    render(<App {...props} />);
    expect(await screen.findByText(REPORT.headline)).toBeInTheDocument();
    expect(calls[0]).toMatchObject({
      url: '/api/datasources/uid/calico-b/resources/report',
      params: { window: '30d' },
    });
    act(() => goTo('/a/calicoscope-app/setup?datasource=calico-a'));
    expect(await screen.findByText('all good')).toBeInTheDocument();
    expect(calls[1].url).toBe('/api/datasources/uid/calico-a/health');
    act(() => goTo('/a/calicoscope-app/report?datasource=calico-a&window=24h'));
    expect(await screen.findByText(REPORT.headline)).toBeInTheDocument();
    expect(calls[2]).toMatchObject({
      url: '/api/datasources/uid/calico-a/resources/report',
      params: { window: '24h' },
    });
  });
});
