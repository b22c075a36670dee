import React from 'react';
import type { SelectableValue } from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import { InlineField, MultiSelect } from '@grafana/ui';

import type { CalicoscopeDatasource } from '../datasource';
import { useResource } from '../resources';
import type { CalicoQuery, FilterName } from '../types';

interface Props {
  datasource: CalicoscopeDatasource;
  name: FilterName;
  label: string;
  query: CalicoQuery;
  onChange: (query: CalicoQuery) => void;
  onRunQuery: () => void;
}

/** One catalog filter: dashboard variables and the values the backend lists for `name`. */
export function FilterField({ datasource, name, label, query, onChange, onRunQuery }: Props) {
  const loaded = useResource<unknown[]>(datasource, name);
  const values = query.filters?.[name] ?? [];
  const options: Array<SelectableValue<string>> = [
    ...getTemplateSrv()
      .getVariables()
      .map((v) => ({ label: '$' + v.name, value: '$' + v.name })),
    ...(loaded?.value ?? []).map((v) => ({ label: String(v), value: String(v) })),
  ];
  return (
    <InlineField
      label={label}
      labelWidth={14}
      tooltip="Only series with these values (added as label matchers, never spliced into text)."
    >
      {/* Combobox, which replaces it, is not in Grafana 10.4 */}
      {/* eslint-disable-next-line @typescript-eslint/no-deprecated */}
      <MultiSelect<string>
        aria-label={label}
        width={40}
        options={options}
        value={values}
        allowCustomValue
        isLoading={!loaded}
        placeholder="all"
        onChange={(selected) => {
          const picked = (selected ?? []).map((o) => o.value).filter((v): v is string => v !== undefined);
          onChange({ ...query, filters: { ...query.filters, [name]: picked } });
          onRunQuery();
        }}
      />
    </InlineField>
  );
}
