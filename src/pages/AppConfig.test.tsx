import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { AppPlugin, AppPluginMeta } from '@grafana/data';

import { AppConfig } from './AppConfig';
import { fakeBackend, fakeDatasources } from './testing';
import type { AppSettings } from './types';

function plugin(meta: Partial<AppPluginMeta<AppSettings>>) {
  return {
    meta: { id: 'calicoscope-app', enabled: true, pinned: true, jsonData: {}, ...meta },
  } as unknown as AppPlugin<AppSettings>;
}

beforeEach(() => fakeDatasources());

describe('AppConfig', () => {
  it('saves the chosen default datasource in jsonData, keeping the rest', async () => {
    const calls = fakeBackend(() => ({ message: 'Plugin settings updated' }));
    render(
      <AppConfig plugin={plugin({ jsonData: { defaultDatasource: 'calico-a', other: 1 } as AppSettings })} query={{}} />
    );
    // The picker offers only Calicoscope datasources.
    const input = screen.getByRole('combobox');
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(await screen.findByText('Calico B')).toBeInTheDocument();
    expect(screen.queryByText('Prometheus')).toBeNull();
    fireEvent.click(screen.getByText('Calico B'));
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await screen.findByText('Saved');
    expect(calls).toEqual([
      {
        method: 'POST',
        url: '/api/plugins/calicoscope-app/settings',
        data: { enabled: true, pinned: true, jsonData: { defaultDatasource: 'calico-b', other: 1 } },
        options: expect.objectContaining({ showErrorAlert: false }),
      },
    ]);
  });

  it('offers to enable a disabled app, and shows a failed save', async () => {
    const calls = fakeBackend(() => Promise.reject({ status: 403, data: { message: 'Permission denied' } }));
    render(<AppConfig plugin={plugin({ enabled: false, pinned: false })} query={{}} />);
    fireEvent.click(screen.getByRole('button', { name: 'Enable and save' }));
    expect(await screen.findByText('Permission denied')).toBeInTheDocument();
    await waitFor(() =>
      expect(calls[0].data).toEqual({ enabled: true, pinned: true, jsonData: { defaultDatasource: undefined } })
    );
  });
});
