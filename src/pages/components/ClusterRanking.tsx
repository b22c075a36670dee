import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

import type { Report } from '../types';

/** The fleet report's first part: clusters most urgent first, then those that went quiet. */
export function ClusterRanking({ report }: { report: Report }) {
  const styles = useStyles2(getStyles);
  const clusters = report.clusters ?? [];
  const quiet = report.quiet ?? [];
  if (clusters.length === 0 && quiet.length === 0) {
    return null;
  }
  return (
    <section className={`cs-clusters ${styles.section}`} aria-label="Clusters">
      <h2>Clusters, most urgent first</h2>
      <table>
        <thead>
          <tr>
            <th>Cluster</th>
            <th>IP pools</th>
            <th>Need action</th>
            <th>First to fill</th>
          </tr>
        </thead>
        <tbody>
          {clusters.map((c) => (
            <tr key={c.cluster}>
              <td>{c.cluster}</td>
              <td>{c.pools}</td>
              <td>{c.needsAction}</td>
              <td>{c.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {quiet.map((q) => (
        <p key={q.cluster} className="cs-quiet" role="alert">
          {q.text}
        </p>
      ))}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({
    marginTop: theme.spacing(3),
    table: { borderCollapse: 'collapse', width: '100%' },
    'th, td': {
      textAlign: 'left',
      verticalAlign: 'top',
      padding: theme.spacing(0.5, 2, 0.5, 0),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
    },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
    'td:nth-child(2), td:nth-child(3)': { textAlign: 'right' },
  }),
});
