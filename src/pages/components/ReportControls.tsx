import React from 'react';
import { Button, InlineField, RadioButtonGroup } from '@grafana/ui';

import { setQuery } from '../location';
import { CsvButton } from './CsvButton';
import { DatasourceChooser } from './DatasourceChooser';

/** Windows offered; one named in the URL that is not here is offered too. */
export const WINDOWS = ['24h', '7d', '30d'];

interface Props {
  uid: string | undefined;
  window: string;
  onError: (message: string) => void;
}

/** Datasource, window (both kept in the URL), CSV and print. Not printed. */
export function ReportControls({ uid, window, onError }: Props) {
  const windows = WINDOWS.includes(window) ? WINDOWS : [...WINDOWS, window];
  return (
    <div
      className="cs-noprint cs-controls"
      style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'flex-start', marginBottom: 16 }}
    >
      <DatasourceChooser uid={uid} onChange={(datasource) => setQuery({ datasource })} />
      <InlineField label="Growth over" labelWidth={14}>
        <RadioButtonGroup
          options={windows.map((w) => ({ label: w, value: w, description: `Fit the forecast over the last ${w}` }))}
          value={window}
          onChange={(w) => setQuery({ window: w })}
        />
      </InlineField>
      {uid && <CsvButton uid={uid} window={window} onError={onError} />}
      <Button
        variant="secondary"
        icon="file-alt"
        onClick={() => globalThis.print()}
        tooltip="The browser's print dialog; choose Save as PDF for an A4 report"
      >
        Print / Save as PDF
      </Button>
    </div>
  );
}
