import React from 'react';

import type { ClusterHealth } from '../types';

/** The clusters of a fleet store, each with what it runs and what does not apply there. */
export function ClusterList({ clusters }: { clusters: ClusterHealth[] }) {
  if (clusters.length === 0) {
    return null;
  }
  return (
    <>
      <h2>Clusters</h2>
      <ul className="cs-clusters" aria-label="Clusters">
        {clusters.map((c) => (
          <li key={c.cluster}>
            {c.summary}
            {c.not_applicable.length > 0 && (
              <>
                {': '}
                {c.not_applicable.map((n, i) => (
                  <React.Fragment key={n.id}>
                    {i > 0 && ', '}
                    <code title={n.why}>{n.id}</code>
                  </React.Fragment>
                ))}
              </>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
