import React from 'react';

import type { Report } from '../types';

/** The fleet report's first part: clusters most urgent first, then those that went quiet. */
export function ClusterRanking({ report }: { report: Report }) {
  const clusters = report.clusters ?? [];
  const quiet = report.quiet ?? [];
  if (clusters.length === 0 && quiet.length === 0) {
    return null;
  }
  return (
    <section className="cs-clusters" aria-label="Clusters">
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
