import React, { useState } from 'react';
import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { Alert, Button } from '@grafana/ui';
import { locationService } from '@grafana/runtime';

import { errorText, saveAppSettings } from './api';
import { DatasourceChooser } from './components/DatasourceChooser';
import type { AppSettings } from './types';

type Props = PluginConfigPageProps<AppPluginMeta<AppSettings>>;

/**
 * The app's configuration page: the datasource the pages use when their URL names none
 * (jsonData.defaultDatasource), saved as Grafana's own app configuration pages save settings.
 */
export function AppConfig({ plugin }: Props) {
  const { enabled, pinned, jsonData } = plugin.meta;
  const [uid, setUid] = useState(jsonData?.defaultDatasource);
  const [state, setState] = useState<{ busy?: boolean; saved?: boolean; error?: string }>({});
  const save = async (enable: boolean) => {
    setState({ busy: true });
    try {
      await saveAppSettings({
        enabled: enable || Boolean(enabled),
        pinned: enable || Boolean(pinned),
        jsonData: { ...jsonData, defaultDatasource: uid },
      });
      setState({ saved: true });
      // Grafana keeps the app's settings in the page: reload them, as its own app pages do.
      locationService.reload();
    } catch (e) {
      setState({ error: errorText(e) });
    }
  };
  return (
    <div className="cs-app-config">
      <h3>Default datasource</h3>
      <p>
        The Capacity report and Setup check pages read this Calicoscope datasource unless their URL names another (
        <code>?datasource=&lt;uid&gt;</code>). Without one they take the first Calicoscope datasource.
      </p>
      <DatasourceChooser uid={uid} onChange={setUid} />
      {!enabled && (
        <Alert severity="info" title="The app is not enabled">
          Enable it to show its pages in Grafana&apos;s navigation.
        </Alert>
      )}
      <div style={{ display: 'flex', gap: 8, marginTop: 16 }}>
        <Button onClick={() => save(false)} disabled={state.busy}>
          Save settings
        </Button>
        {!enabled && (
          <Button variant="secondary" onClick={() => save(true)} disabled={state.busy}>
            Enable and save
          </Button>
        )}
      </div>
      {state.saved && (
        <Alert severity="success" title="Saved">
          The pages now read {uid ? <code>{uid}</code> : 'the first Calicoscope datasource'} by default.
        </Alert>
      )}
      {state.error && (
        <Alert severity="error" title="The settings could not be saved">
          {state.error}
        </Alert>
      )}
    </div>
  );
}
