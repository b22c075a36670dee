import React from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import {
  Alert,
  DataSourceHttpSettings,
  InlineField,
  Input,
  RadioButtonGroup,
  SecretInput,
  SecretTextArea,
} from '@grafana/ui';

import { useSettingsSchema } from '../resources';
import type { CalicoOptions, CalicoSecureOptions, SettingSchema } from '../types';

type Props = DataSourcePluginOptionsEditorProps<CalicoOptions, CalicoSecureOptions>;
type SecretKey = keyof CalicoSecureOptions;

/**
 * Goldmane's secrets: the PEM files of its mutual TLS, with where a cluster keeps them. (Its
 * jsonData settings, address, server name and API, are the backend's schema, settings.json.)
 */
export const GOLDMANE_SECRETS: ReadonlyArray<{ key: SecretKey; label: string; tooltip: string; placeholder: string }> =
  [
    {
      key: 'goldmaneCACert',
      label: 'CA certificate',
      tooltip:
        "PEM of the CA Goldmane's certificate chains to: key tigera-ca-bundle.crt of ConfigMap goldmane-ca-bundle in calico-system.",
      placeholder: '-----BEGIN CERTIFICATE-----',
    },
    {
      key: 'goldmaneClientCert',
      label: 'Client certificate',
      tooltip:
        'PEM of a client certificate Goldmane accepts (signed by the same CA), e.g. tls.crt of secret node-certs in calico-system.',
      placeholder: '-----BEGIN CERTIFICATE-----',
    },
    {
      key: 'goldmaneClientKey',
      label: 'Client key',
      tooltip: "PEM of the client certificate's private key, e.g. tls.key of secret node-certs in calico-system.",
      placeholder: '-----BEGIN PRIVATE KEY-----',
    },
  ];

// How to read the certificates out of a cluster (the help under the Goldmane heading).
const CA_COMMAND =
  "kubectl -n calico-system get configmap goldmane-ca-bundle -o jsonpath='{.data.tigera-ca-bundle\\.crt}'";
const CLIENT_COMMAND = "kubectl -n calico-system get secret node-certs -o jsonpath='{.data.tls\\.crt}' | base64 -d";

/** Grafana's HTTP / auth settings, a bearer token, the Calico settings from the backend's schema, and Goldmane's. */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { schema, error } = useSettingsSchema();
  const jsonData = options.jsonData ?? {};
  const secure = options.secureJsonFields ?? {};

  const setJson = (key: string, value: unknown) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, [key]: value } });
  // A configured secret is never sent back: the editor shows it as configured until reset,
  // which clears it (secureJsonFields false) and lets a new value be typed.
  const setSecret = (key: SecretKey, value: string, reset = false) =>
    onOptionsChange({
      ...options,
      secureJsonData: { ...options.secureJsonData, [key]: value },
      secureJsonFields: reset ? { ...secure, [key]: false } : secure,
    });
  const fields = (section: SettingSchema['section']) =>
    schema
      .filter((s) => s.section === section)
      .map((s) => <SettingField key={s.key} setting={s} value={jsonData[s.key]} onChange={(v) => setJson(s.key, v)} />);

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
          onChange={(e) => setSecret('bearerToken', e.currentTarget.value)}
          onReset={() => setSecret('bearerToken', '', true)}
        />
      </InlineField>
      <h3 className="page-heading">Calico</h3>
      {error && (
        <Alert severity="error" title="The Calico settings could not be loaded">
          {error}
        </Alert>
      )}
      {fields('calico')}
      <h3 className="page-heading">Calico Goldmane (flows)</h3>
      <div className="calicoscope-config-help" style={{ maxWidth: 760, marginBottom: 8, fontSize: 13 }}>
        <p>
          Flows and policy verdicts come from Calico Goldmane (Calico 3.30 and later) over mutual TLS; leave the address
          empty if you do not want them. Where a cluster keeps what it needs:
        </p>
        <ul style={{ marginLeft: 20, marginBottom: 8 }}>
          <li>
            Address <code>goldmane.calico-system.svc:7443</code>; through{' '}
            <code>kubectl -n calico-system port-forward svc/goldmane 7443</code> it is <code>127.0.0.1:7443</code> with
            TLS server name <code>goldmane.calico-system.svc</code>.
          </li>
          <li>
            CA certificate: key <code>tigera-ca-bundle.crt</code> of ConfigMap <code>goldmane-ca-bundle</code> in{' '}
            <code>calico-system</code> (<code>{CA_COMMAND}</code>
            ).
          </li>
          <li>
            Client certificate and key, an identity Goldmane accepts: <code>tls.crt</code> and <code>tls.key</code> of
            secret <code>node-certs</code> in <code>calico-system</code> (<code>{CLIENT_COMMAND}</code>, and the same
            for <code>tls.key</code>).
          </li>
        </ul>
      </div>
      {fields('goldmane')}
      {GOLDMANE_SECRETS.map(({ key, label, tooltip, placeholder }) => (
        <InlineField key={key} label={label} labelWidth={24} tooltip={tooltip + ' Stored encrypted.'}>
          <SecretTextArea
            aria-label={label}
            name={key}
            cols={64}
            rows={4}
            isConfigured={Boolean(secure[key])}
            value={options.secureJsonData?.[key] ?? ''}
            placeholder={placeholder}
            onChange={(e) => setSecret(key, e.currentTarget.value)}
            onReset={() => setSecret(key, '', true)}
          />
        </InlineField>
      ))}
    </div>
  );
}

function SettingField({
  setting,
  value,
  onChange,
}: {
  setting: SettingSchema;
  value: unknown;
  onChange: (v: unknown) => void;
}) {
  if (setting.kind === 'choice') {
    return (
      <InlineField label={setting.label} labelWidth={24} tooltip={setting.description}>
        <RadioButtonGroup<string>
          aria-label={setting.label}
          options={(setting.options ?? []).map((o) => ({ label: o.label, value: o.value }))}
          value={value === undefined || value === null || value === '' ? String(setting.default) : String(value)}
          onChange={(v) => onChange(v)}
        />
      </InlineField>
    );
  }
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
