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

function options(jsonData: Record<string, unknown> = {}) {
  return { id: 1, uid: 'calicoscope', url: '', access: 'proxy', jsonData, secureJsonFields: {}, secureJsonData: {} } as never;
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
    for (const s of schema) {
      expect((await input(s.key)).placeholder).toBe(String(s.default));
    }
    expect(schema.length).toBeGreaterThanOrEqual(9);
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
});
