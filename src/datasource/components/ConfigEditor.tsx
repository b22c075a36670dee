import React from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Alert, DataSourceHttpSettings, InlineField, Input, SecretInput } from '@grafana/ui';

import { useSettingsSchema } from '../resources';
import type { CalicoOptions, CalicoSecureOptions, SettingSchema } from '../types';

type Props = DataSourcePluginOptionsEditorProps<CalicoOptions, CalicoSecureOptions>;

/** Grafana's HTTP / auth settings, a bearer token, and the Calico settings from the backend's schema. */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { schema, error } = useSettingsSchema();
  const jsonData = options.jsonData ?? {};
  const secure = options.secureJsonFields ?? {};

  const setJson = (key: string, value: unknown) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, [key]: value } });
  const setToken = (value: string, reset = false) =>
    onOptionsChange({
      ...options,
      secureJsonData: { ...options.secureJsonData, bearerToken: value },
      secureJsonFields: reset ? { ...secure, bearerToken: false } : secure,
    });

  return (
    <div className="calicoscope-config">
      {/* Deprecated in favour of @grafana/plugin-ui, which Grafana does not provide (it would be
          bundled); this one is in every Grafana from 10.4 to 13. */}
      {/* eslint-disable-next-line @typescript-eslint/no-deprecated */}
      <DataSourceHttpSettings
        defaultUrl="http://localhost:9090"
        dataSourceConfig={options}
        onChange={onOptionsChange}
        showAccessOptions={false}
      />
      <h3 className="page-heading">Bearer token</h3>
      <InlineField label="Token" labelWidth={24} tooltip="Sent as Authorization: Bearer <token>; stored encrypted.">
        <SecretInput
          width={40}
          isConfigured={Boolean(secure.bearerToken)}
          value={options.secureJsonData?.bearerToken ?? ''}
          placeholder="token"
          onChange={(e) => setToken(e.currentTarget.value)}
          onReset={() => setToken('', true)}
        />
      </InlineField>
      <h3 className="page-heading">Calico</h3>
      {error && (
        <Alert severity="error" title="The Calico settings could not be loaded">
          {error}
        </Alert>
      )}
      {schema.map((s) => (
        <SettingField key={s.key} setting={s} value={jsonData[s.key]} onChange={(v) => setJson(s.key, v)} />
      ))}
    </div>
  );
}

function SettingField({ setting, value, onChange }: { setting: SettingSchema; value: unknown; onChange: (v: unknown) => void }) {
  return (
    <InlineField label={setting.label} labelWidth={24} tooltip={setting.description}>
      <Input
        width={40}
        name={setting.key}
        placeholder={String(setting.default)}
        value={value === undefined || value === null ? '' : String(value)}
        onChange={(e) => {
          const v = e.currentTarget.value;
          onChange(setting.kind === 'number' ? (v === '' ? undefined : Number(v)) : v);
        }}
      />
    </InlineField>
  );
}
