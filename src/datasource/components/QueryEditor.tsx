import React from 'react';
import type { QueryEditorProps } from '@grafana/data';
import {
  InlineField,
  InlineFieldRow,
  InlineSwitch,
  Input,
  MultiSelect,
  RadioButtonGroup,
  Select,
  TextArea,
} from '@grafana/ui';

import type { CalicoscopeDatasource } from '../datasource';
import { useResource } from '../resources';
import { GOLDMANE, filtersOf, type CalicoOptions, type CalicoQuery, type CatalogEntry, type Filters } from '../types';
import { FilterField } from './FilterField';
import { PromqlPreview } from './PromqlPreview';

type Props = QueryEditorProps<CalicoscopeDatasource, CalicoQuery, CalicoOptions>;

const MODES = [
  { label: 'Calico catalog', value: 'catalog' as const },
  { label: 'Raw PromQL', value: 'raw' as const },
];

/**
 * The catalog of named Calico queries (the backend's `catalog` resource) with pool / node /
 * instance / syncer filters, group-by, legend and instant; or raw PromQL. The PromQL the
 * backend will run is shown under it. A flow entry (component `goldmane`, answered by Goldmane
 * rather than Prometheus) shows the flow filters it lists instead, and what Goldmane is asked.
 */
export function QueryEditor({ query, datasource, onChange, onRunQuery }: Props) {
  const mode = query.mode ?? 'catalog';
  const catalog = useResource<CatalogEntry[]>(datasource, 'catalog');
  const entries = catalog?.value ?? [];
  const entry = entries.find((e) => e.id === query.catalog);
  const flows = mode === 'catalog' && entry?.component === GOLDMANE;
  // No filters until the catalog says which kind the entry is (an unknown entry: PromQL's).
  const filters = catalog ? filtersOf(entry) : [];
  const set = (patch: Partial<CalicoQuery>, run: boolean) => {
    onChange({ ...query, ...patch });
    if (run) {
      onRunQuery();
    }
  };

  return (
    <div className="calicoscope-query-editor">
      <InlineFieldRow>
        <InlineField label="Query" labelWidth={14}>
          <RadioButtonGroup options={MODES} value={mode} onChange={(v) => set({ mode: v }, true)} />
        </InlineField>
        {flows ? null : (
          <InlineField label="Instant" tooltip="Evaluate at the end of the range only (tables, stats, the topology).">
            <InlineSwitch
              value={Boolean(query.instant)}
              onChange={(e) => set({ instant: e.currentTarget.checked }, true)}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      {mode === 'catalog' ? (
        <>
          <InlineField
            label="Question"
            labelWidth={14}
            grow
            tooltip={entry ? entry.description : 'A named Calico query'}
            invalid={Boolean(catalog?.error)}
            error={catalog?.error}
          >
            {/* Combobox, which replaces it, is not in Grafana 10.4 */}
            {/* eslint-disable-next-line @typescript-eslint/no-deprecated */}
            <Select<string>
              aria-label="Catalog query"
              width={60}
              isLoading={!catalog}
              options={entries.map((e) => ({ label: e.title, value: e.id, description: `${e.component} · ${e.id}` }))}
              value={query.catalog ?? null}
              onChange={(o) => {
                const next = entries.find((e) => e.id === o.value);
                set({ catalog: o.value, groupBy: [], filters: keepFilters(query.filters, filtersOf(next)) }, true);
              }}
            />
          </InlineField>
          <InlineFieldRow>
            {filters.map((f) => (
              <FilterField
                key={f.name}
                filter={f}
                datasource={datasource}
                query={query}
                onChange={onChange}
                onRunQuery={onRunQuery}
              />
            ))}
          </InlineFieldRow>
          {!flows && entry?.groupBy?.length ? (
            <InlineField label="Group by" labelWidth={14}>
              {/* Combobox, which replaces it, is not in Grafana 10.4 */}
              {/* eslint-disable-next-line @typescript-eslint/no-deprecated */}
              <MultiSelect<string>
                aria-label="Group by"
                options={entry.groupBy.map((g) => ({ label: g, value: g }))}
                value={query.groupBy ?? []}
                onChange={(sel) => set({ groupBy: (sel ?? []).flatMap((o) => (o.value ? [o.value] : [])) }, true)}
              />
            </InlineField>
          ) : null}
        </>
      ) : (
        <InlineField label="PromQL" labelWidth={14} grow>
          <TextArea
            aria-label="PromQL"
            rows={3}
            defaultValue={query.expr ?? ''}
            placeholder="sum by (ippool) (ipam_allocations_in_use)"
            onBlur={(e) => set({ expr: e.currentTarget.value }, true)}
          />
        </InlineField>
      )}
      {flows ? null : (
        <InlineFieldRow>
          <InlineField
            label="Legend"
            labelWidth={14}
            tooltip="e.g. {{ippool}} on {{node}}; empty uses the question's default."
          >
            <Input
              aria-label="Legend"
              width={40}
              placeholder={entry?.legend ?? '{{label}}'}
              defaultValue={query.legend ?? ''}
              onBlur={(e) => set({ legend: e.currentTarget.value }, true)}
            />
          </InlineField>
          <InlineField label="Min step" tooltip="Lower bound on the step, e.g. 1m; empty uses the scrape interval.">
            <Input
              aria-label="Min step"
              width={12}
              placeholder="auto"
              defaultValue={query.interval ?? ''}
              onBlur={(e) => set({ interval: e.currentTarget.value }, true)}
            />
          </InlineField>
        </InlineFieldRow>
      )}
      {flows ? (
        <PromqlPreview
          datasource={datasource}
          query={{ ...query, mode }}
          label={GOLDMANE_ASKED}
          caption={GOLDMANE_ASKED + ':'}
        />
      ) : (
        <PromqlPreview datasource={datasource} query={{ ...query, mode }} />
      )}
    </div>
  );
}

/** The preview's label for a flow entry: the translate answer describes the Goldmane request. */
export const GOLDMANE_ASKED = 'What Goldmane is asked';

/** The filter values an entry still reads after switching to it (another kind's are dropped). */
function keepFilters(filters: Filters | undefined, shown: ReadonlyArray<{ name: keyof Filters }>): Filters {
  const kept: Filters = {};
  for (const { name } of shown) {
    const values = filters?.[name];
    if (values?.length) {
      kept[name] = values;
    }
  }
  return kept;
}
