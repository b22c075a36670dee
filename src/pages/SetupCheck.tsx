import React, { useState } from 'react';
import { css } from '@emotion/css';
import { Alert, Button, LinkButton, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { PluginPage } from '@grafana/runtime';
import { locationUtil, type GrafanaTheme2 } from '@grafana/data';

import { fetchHealth } from './api';
import { pickDatasource } from './datasource';
import { setQuery, type PageLocation } from './location';
import { ClusterList } from './components/ClusterList';
import { ComponentFinding } from './components/ComponentFinding';
import { DashboardLinks } from './components/DashboardLinks';
import { DatasourceChooser } from './components/DatasourceChooser';
import { HealthSummary } from './components/HealthSummary';
import { NotApplicable } from './components/NotApplicable';
import { PAGES } from './paths';
import type { AppSettings } from './types';
import { useLoad } from './useLoad';

/**
 * "Setup check" (/a/calicoscope-app/setup?datasource=<uid>): the datasource's health check,
 * each finding with its fix, and the way on to the dashboards.
 */
export function SetupCheck({ location, settings }: { location: PageLocation; settings: AppSettings }) {
  const uid = pickDatasource(location.search.datasource, settings.defaultDatasource);
  const [run, setRun] = useState(0);
  const health = useLoad(uid && `${uid}|${run}`, () => fetchHealth(uid!));
  const answer = health && !health.loading && 'value' in health ? health.value : undefined;
  const details = answer?.details;
  const styles = useStyles2(getStyles);
  return (
    <PluginPage>
      <div className={`cs-setup ${styles.page}`}>
        <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap', alignItems: 'flex-start', marginBottom: 16 }}>
          <DatasourceChooser uid={uid} onChange={(datasource) => setQuery({ datasource })} />
          {uid && (
            <Button variant="secondary" icon="sync" onClick={() => setRun((n) => n + 1)}>
              Check again
            </Button>
          )}
        </div>
        {!uid && (
          <Alert severity="info" title="No Calicoscope datasource">
            Add a Calicoscope datasource (Connections → Data sources) pointing at the Prometheus that scrapes Calico.
          </Alert>
        )}
        {health?.loading && <LoadingPlaceholder text="Running the datasource's health check…" />}
        {health && !health.loading && 'error' in health && (
          <Alert severity="error" title="The health check could not run">
            {health.error}
          </Alert>
        )}
        {answer && <HealthSummary answer={answer} />}
        {details && details.components.length > 0 && (
          <>
            <h2>Calico components</h2>
            {details.components.map((c) => (
              <ComponentFinding key={c.component} finding={c} />
            ))}
          </>
        )}
        {details && <ClusterList clusters={details.clusters ?? []} />}
        {details && <NotApplicable entries={details.not_applicable} />}
        <h2>Dashboards</h2>
        <DashboardLinks />
        <h2>Capacity</h2>
        <LinkButton
          variant="primary"
          icon="file-alt"
          href={locationUtil.assureBaseUrl(
            uid ? `${PAGES.report}?datasource=${encodeURIComponent(uid)}` : PAGES.report
          )}
        >
          Capacity report
        </LinkButton>
      </div>
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ h2: { marginTop: theme.spacing(3) } }),
});
