import React from 'react';
import { InlineField, Select } from '@grafana/ui';

import { isResource } from '../datasource';
import { RESOURCES, type Resource, type VariableQuery } from '../types';

interface Props {
  query: VariableQuery | string | undefined;
  onChange: (query: VariableQuery, definition: string) => void;
}

/** The flow resources: values Goldmane has seen (a datasource with a Goldmane address). */
const FLOW_RESOURCES: Partial<Record<Resource, string>> = {
  flow_namespaces: "Namespaces in Goldmane's flows (either end)",
  flow_policies: "Policy names in Goldmane's flows",
};

/** Template variables: which backend resource lists the values (Prometheus's, or Goldmane's). */
export function VariableQueryEditor({ query, onChange }: Props) {
  const resource: Resource = typeof query === 'string' ? (isResource(query) ? query : 'pools') : (query?.resource ?? 'pools');
  return (
    <InlineField label="Values of" labelWidth={14}>
      {/* Combobox, which replaces it, is not in Grafana 10.4 */}
      {/* eslint-disable-next-line @typescript-eslint/no-deprecated */}
      <Select<Resource>
        aria-label="Variable values"
        width={30}
        options={RESOURCES.map((r) => ({ label: r, value: r, description: FLOW_RESOURCES[r] }))}
        value={resource}
        onChange={(o) => o.value && onChange({ resource: o.value }, o.value)}
      />
    </InlineField>
  );
}
