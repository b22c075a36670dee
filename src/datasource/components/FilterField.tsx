import React from 'react';
import type { SelectableValue } from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import { InlineField, MultiSelect } from '@grafana/ui';

import type { CalicoscopeDatasource } from '../datasource';
import { useResource } from '../resources';
import type { CalicoQuery, FilterSpec } from '../types';

interface Props {
  datasource: CalicoscopeDatasource;
  filter: FilterSpec;
  query: CalicoQuery;
  onChange: (query: CalicoQuery) => void;
  onRunQuery: () => void;
}

/**
 * One filter: dashboard variables, and the values the backend lists for it (its resource), a
 * fixed list (verdicts) or none (ports: typed). Any value can be typed.
 */
export function FilterField({ datasource, filter, query, onChange, onRunQuery }: Props) {
  const { name, label, tooltip, values: source } = filter;
  const resource = typeof source === 'object' && 'resource' in source ? source.resource : null;
  const loaded = useResource<unknown[]>(datasource, resource);
  const known = typeof source === 'object' && 'choices' in source ? source.choices : (loaded?.value ?? []);
  const values = query.filters?.[name] ?? [];
  const options: Array<SelectableValue<string>> = [
    ...getTemplateSrv()
      .getVariables()
      .map((v) => ({ label: '$' + v.name, value: '$' + v.name })),
    ...known.map((v) => ({ label: String(v), value: String(v) })),
  ];
  return (
    <InlineField
      label={label}
      // The flow filters' labels are longer ("Destination namespaces").
      labelWidth={filter.flow ? 22 : 14}
      tooltip={tooltip}
      invalid={Boolean(loaded?.error)}
      error={loaded?.error}
    >
      {/* Combobox, which replaces it, is not in Grafana 10.4 */}
      {/* eslint-disable-next-line @typescript-eslint/no-deprecated */}
      <MultiSelect<string>
        aria-label={label}
        width={40}
        options={options}
        value={values}
        allowCustomValue
        isLoading={resource !== null && !loaded}
        placeholder={source === 'typed' ? 'all (type a value, Enter)' : 'all'}
        onChange={(selected) => {
          const picked = (selected ?? []).map((o) => o.value).filter((v): v is string => v !== undefined);
          onChange({ ...query, filters: { ...query.filters, [name]: picked } });
          onRunQuery();
        }}
      />
    </InlineField>
  );
}
