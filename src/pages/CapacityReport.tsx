import React, { useState } from 'react';
import { Alert, LoadingPlaceholder } from '@grafana/ui';
import { PluginPage } from '@grafana/runtime';

import { fetchReport } from './api';
import { pickDatasource } from './datasource';
import type { PageLocation } from './location';
import { PRINT_CSS } from './print';
import { ReportBody } from './components/ReportBody';
import { ReportControls } from './components/ReportControls';
import type { AppSettings } from './types';
import { useLoad } from './useLoad';

/** The window when the URL names none: a week of growth. */
export const DEFAULT_WINDOW = '7d';

/**
 * "Capacity report" (/a/calicoscope-app/report?datasource=<uid>&window=7d): per IP pool, the
 * backend's report resource in plain sentences and a few large numbers, printable on A4 and
 * downloadable as CSV.
 */
export function CapacityReport({ location, settings }: { location: PageLocation; settings: AppSettings }) {
  const uid = pickDatasource(location.search.datasource, settings.defaultDatasource);
  const window = location.search.window || DEFAULT_WINDOW;
  const report = useLoad(uid && `${uid}|${window}`, () => fetchReport(uid!, window));
  const [csvError, setCsvError] = useState<string>();
  return (
    <PluginPage>
      <style>{PRINT_CSS}</style>
      <div className="cs-report">
        <ReportControls uid={uid} window={window} onError={setCsvError} />
        {csvError && (
          <Alert
            className="cs-noprint"
            severity="error"
            title="The CSV could not be downloaded"
            onRemove={() => setCsvError(undefined)}
          >
            {csvError}
          </Alert>
        )}
        {!uid && (
          <Alert severity="info" title="No Calicoscope datasource">
            Add a Calicoscope datasource (Connections → Data sources) pointing at the Prometheus that scrapes Calico,
            then come back.
          </Alert>
        )}
        {report?.loading && <LoadingPlaceholder text="Asking the datasource for the report…" />}
        {report && !report.loading && 'error' in report && (
          <Alert severity="error" title="The capacity report could not be made">
            {report.error}
          </Alert>
        )}
        {report && !report.loading && 'value' in report && <ReportBody report={report.value} />}
      </div>
    </PluginPage>
  );
}
