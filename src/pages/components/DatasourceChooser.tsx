import React from 'react';
import { InlineField } from '@grafana/ui';
import { DataSourcePicker } from '@grafana/runtime';

import { DATASOURCE_TYPE } from '../types';

/** Grafana's datasource picker, listing only Calicoscope datasources. */
export function DatasourceChooser({ uid, onChange }: { uid: string | undefined; onChange: (uid: string) => void }) {
  return (
    <InlineField label="Datasource" labelWidth={14}>
      <DataSourcePicker
        type={DATASOURCE_TYPE}
        current={uid ?? null}
        noDefault
        width={32}
        inputId="calicoscope-datasource"
        onChange={(ds) => onChange(ds.uid)}
      />
    </InlineField>
  );
}
