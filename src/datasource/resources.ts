import { useEffect, useState } from 'react';

import type { CalicoscopeDatasource } from './datasource';
import type { SettingSchema } from './types';

export type Loaded<T> = { value: T; error?: undefined } | { value?: undefined; error: string } | null;

/** The message of a failed request: the backend's `{message}` body, else the error itself. */
export function errorMessage(e: unknown): string {
  const data = (e as { data?: { message?: unknown } } | null)?.data;
  if (data && typeof data.message === 'string') {
    return data.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * A backend resource (`catalog`, `pools`, ...), loaded once per datasource and path; null while
 * loading, and when there is no path (nothing is asked).
 */
export function useResource<T>(datasource: CalicoscopeDatasource, path: string | null): Loaded<T> {
  // Keyed by what was asked, so a new path or datasource is loading, not the old answer.
  const [state, setState] = useState<{ from: CalicoscopeDatasource; path: string; loaded: Loaded<T> } | null>(null);
  useEffect(() => {
    if (path === null) {
      return;
    }
    let alive = true;
    const done = (loaded: Loaded<T>) => alive && setState({ from: datasource, path, loaded });
    datasource.getResource(path).then(
      (value: T) => done({ value }),
      (e: unknown) => done({ error: errorMessage(e) })
    );
    return () => {
      alive = false;
    };
  }, [datasource, path]);
  return state && state.from === datasource && state.path === path ? state.loaded : null;
}

// The Calico settings (key, label, help, default) are the backend's: settings.json beside the
// datasource's module.js is what `gpx_calicoscope settings` prints (a backend test keeps them
// equal), found through the module's own URL (webpack's public path, set from it).
let settingsSchema: Promise<SettingSchema[]> | null = null;

export function settingsUrl(): string {
  return new URL('settings.json', new URL(__webpack_public_path__, document.baseURI)).href;
}

export function loadSettingsSchema(): Promise<SettingSchema[]> {
  if (!settingsSchema) {
    settingsSchema = fetch(settingsUrl()).then((r) => {
      if (!r.ok) {
        throw new Error('settings.json: HTTP ' + r.status);
      }
      return r.json();
    });
    settingsSchema.catch(() => (settingsSchema = null));
  }
  return settingsSchema;
}

/** The settings schema; empty until it has loaded, or the error that stopped it. */
export function useSettingsSchema(): { schema: SettingSchema[]; error?: string } {
  const [state, setState] = useState<{ schema: SettingSchema[]; error?: string }>({ schema: [] });
  useEffect(() => {
    let alive = true;
    loadSettingsSchema().then(
      (schema) => alive && setState({ schema }),
      (e: unknown) => alive && setState({ schema: [], error: errorMessage(e) })
    );
    return () => {
      alive = false;
    };
  }, []);
  return state;
}
