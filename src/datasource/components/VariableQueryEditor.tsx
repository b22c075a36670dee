import React from 'react';
import { InlineField, Input, Select, Stack } from '@grafana/ui';

import { isResource } from '../datasource';
import { CLUSTER_SCOPED, RESOURCES, type Resource, type VariableQuery } from '../types';

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
  const clusters = typeof query === 'string' ? '' : (query?.clusters ?? '');
  // The saved query holds `clusters` only where the resource is scoped by it and it is set.
  const change = (resource: Resource, clusters: string) =>
    clusters && CLUSTER_SCOPED.includes(resource)
      ? onChange({ resource, clusters }, `${resource} in ${clusters}`)
      : onChange({ resource }, resource);
  return (
    <Stack direction="column" gap={0}>
      <InlineField label="Values of" labelWidth={14}>
        {/* Combobox, which replaces it, is not in Grafana 10.4 */}
        {/* eslint-disable-next-line @typescript-eslint/no-deprecated */}
        <Select<Resource>
          aria-label="Variable values"
          width={30}
          options={RESOURCES.map((r) => ({ label: r, value: r, description: FLOW_RESOURCES[r] }))}
          value={resource}
          onChange={(o) => o.value && change(o.value, clusters)}
        />
      </InlineField>
      {CLUSTER_SCOPED.includes(resource) && (
        <InlineField label="In clusters" labelWidth={14} tooltip="Only these clusters' values: $cluster, or names separated by commas. Empty: every cluster.">
          <Input
            aria-label="In clusters"
            width={30}
            placeholder="$cluster"
            defaultValue={clusters}
            onBlur={(e) => change(resource, e.currentTarget.value.trim())}
          />
        </InlineField>
      )}
    </Stack>
  );
}
