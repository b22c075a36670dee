import React from 'react';

import type { HealthDetails } from '../types';

/** Catalog queries that do not apply to this cluster, with why (the backend's words). */
export function NotApplicable({ entries }: { entries: HealthDetails['not_applicable'] }) {
  if (entries.length === 0) {
    return null;
  }
  return (
    <>
      <h2>Queries that do not apply here</h2>
      <p>These catalog queries answer with a notice instead of data on this cluster; that is expected, not a fault.</p>
      <ul className="cs-not-applicable">
        {entries.map((e) => (
          <li key={e.id}>
            <code>{e.id}</code>: {e.why}
          </li>
        ))}
      </ul>
    </>
  );
}
