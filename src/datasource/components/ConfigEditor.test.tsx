import React from 'react';
import fs from 'fs';
import path from 'path';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';

import { ConfigEditor } from './ConfigEditor';
import type { SettingSchema } from '../types';

// The schema the editor reads is the backend's (settings.json beside the module; a backend
// test keeps it equal to `gpx_calicoscope settings`).
const schema: SettingSchema[] = JSON.parse(fs.readFileSync(path.join(__dirname, '../settings.json'), 'utf8'));

beforeAll(() => {
  (global as unknown as { __webpack_public_path__: string }).__webpack_public_path__ = 'http://grafana.test/public/plugins/calicoscope-app/datasource/';
});

/** The input of setting `key`, once the schema has loaded. */
function input(key: string): Promise<HTMLInputElement> {
  return waitFor(() => {
    const el = document.querySelector<HTMLInputElement>(`input[name="${key}"]`);
    if (!el) {
      throw new Error(`no input ${key} yet`);
    }
    return el;
  });
}

function options(jsonData: Record<string, unknown> = {}, secureJsonFields: Record<string, boolean> = {}) {
  return { id: 1, uid: 'calicoscope', url: '', access: 'proxy', jsonData, secureJsonFields, secureJsonData: {} } as never;
}

describe('ConfigEditor', () => {
  const fetched: string[] = [];
  beforeEach(() => {
    fetched.length = 0;
    global.fetch = jest.fn(async (url: RequestInfo | URL) => {
      fetched.push(String(url));
      return { ok: true, status: 200, json: async () => schema } as Response;
    });
  });

  it("shows every Calico setting with the backend's default, from settings.json beside the module", async () => {
    render(<ConfigEditor options={options()} onOptionsChange={() => {}} />);
    for (const s of schema.filter((s) => s.kind !== 'choice')) {
      expect((await input(s.key)).placeholder).toBe(String(s.default));
    }
    expect(schema.length).toBeGreaterThanOrEqual(12);
    // A choice shows its options, the default picked.
    const api = schema.find((s) => s.key === 'goldmaneApi')!;
    expect(api.kind).toBe('choice');
    expect(screen.getByRole('radio', { name: 'auto' })).toBeChecked();
    expect(screen.getByRole('radio', { name: '3.30–3.31' })).not.toBeChecked();
    expect(fetched).toEqual(['http://grafana.test/public/plugins/calicoscope-app/datasource/settings.json']);
    expect(screen.getByText('Calico')).toBeInTheDocument();
  });

  it('writes text settings as strings and number settings as numbers', async () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={options({ nodeLabel: 'node' })} onOptionsChange={onOptionsChange} />);
    const node = await input('nodeLabel');
    expect(node.value).toBe('node');
    fireEvent.change(node, { target: { value: 'exported_node' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { nodeLabel: 'exported_node' } }));
    const block = await input('blockAddresses');
    fireEvent.change(block, { target: { value: '256' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { nodeLabel: 'node', blockAddresses: 256 } }));
  });

  it("puts Goldmane's settings in their own section, with where the certificates come from", async () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={options({ goldmaneApi: '3.32' })} onOptionsChange={onOptionsChange} />);
    const address = await input('goldmaneAddress');
    const heading = screen.getByRole('heading', { name: 'Calico Goldmane (flows)' });
    // The Goldmane settings follow their heading; the Calico ones precede it.
    expect(heading.compareDocumentPosition(address) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(heading.compareDocumentPosition(await input('nodeLabel')) & Node.DOCUMENT_POSITION_PRECEDING).toBeTruthy();
    const help = heading.nextElementSibling!.textContent!;
    for (const where of ['goldmane-ca-bundle', 'tigera-ca-bundle.crt', 'node-certs', 'tls.crt', 'tls.key', 'calico-system', 'goldmane.calico-system.svc', 'kubectl -n calico-system port-forward svc/goldmane 7443']) {
      expect(help).toContain(where);
    }
    expect(screen.getByRole('radio', { name: '3.32+' })).toBeChecked();
    fireEvent.click(screen.getByRole('radio', { name: '3.30–3.31' }));
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { goldmaneApi: '3.30' } }));
    fireEvent.change(address, { target: { value: 'goldmane.calico-system.svc:7443' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: { goldmaneApi: '3.32', goldmaneAddress: 'goldmane.calico-system.svc:7443' } })
    );
  });

  it("Goldmane's PEM secrets: typed when not set, shown as configured with a reset when set", async () => {
    const onOptionsChange = jest.fn();
    const { rerender } = render(
      <ConfigEditor options={options({}, { goldmaneCACert: true })} onOptionsChange={onOptionsChange} />
    );
    await input('goldmaneAddress');
    // The configured CA is not shown, only that it is configured; the others can be typed.
    const ca = screen.getByRole('textbox', { name: 'CA certificate' });
    expect(ca).toBeDisabled();
    expect(ca).toHaveValue('configured');
    const cert = screen.getByRole('textbox', { name: 'Client certificate' });
    expect(cert).toBeEnabled();
    expect(cert).toHaveValue('');
    expect(screen.getByRole('textbox', { name: 'Client key' })).toBeEnabled();
    // One Reset: the CA's (the bearer token is not configured either).
    const resets = screen.getAllByRole('button', { name: 'Reset' });
    expect(resets).toHaveLength(1);

    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    fireEvent.change(cert, { target: { value: pem } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ secureJsonData: { goldmaneClientCert: pem }, secureJsonFields: { goldmaneCACert: true } })
    );

    fireEvent.click(resets[0]);
    const reset = onOptionsChange.mock.lastCall![0];
    expect(reset.secureJsonFields).toEqual({ goldmaneCACert: false });
    expect(reset.secureJsonData).toEqual({ goldmaneCACert: '' });
    // After the reset the CA can be typed again.
    rerender(<ConfigEditor options={reset} onOptionsChange={onOptionsChange} />);
    const again = screen.getByRole('textbox', { name: 'CA certificate' });
    expect(again).toBeEnabled();
    expect(screen.queryByRole('button', { name: 'Reset' })).toBeNull();
    fireEvent.change(again, { target: { value: pem } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ secureJsonData: { goldmaneCACert: pem }, secureJsonFields: { goldmaneCACert: false } })
    );
  });
});
