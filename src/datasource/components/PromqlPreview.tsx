import React, { useEffect, useState } from 'react';
import { Alert } from '@grafana/ui';

import type { CalicoscopeDatasource } from '../datasource';
import { errorMessage } from '../resources';
import type { CalicoQuery } from '../types';

interface Props {
  datasource: CalicoscopeDatasource;
  query: CalicoQuery;
  /** What the answer is: `PromQL`, or for a flow entry what Goldmane is asked. */
  label?: string;
  /** Shown above the answer (the PromQL speaks for itself; a flow entry's description does not). */
  caption?: string;
}

/**
 * What the backend will run for `query` (its `translate` resource: the PromQL, or for a flow
 * entry a description of the Goldmane request), or why it cannot run.
 */
export function PromqlPreview({ datasource, query, label = 'PromQL', caption }: Props) {
  const [state, setState] = useState<{ expr?: string; error?: string } | null>(null);
  const body = JSON.stringify(query);
  useEffect(() => {
    let alive = true;
    datasource.postResource<{ expr?: string }>('translate', JSON.parse(body)).then(
      (r) => alive && setState({ expr: r?.expr }),
      (e: unknown) => alive && setState({ error: errorMessage(e) })
    );
    return () => {
      alive = false;
    };
  }, [datasource, body]);
  if (!state) {
    return null;
  }
  if (state.error) {
    return (
      <Alert severity="error" title="This query cannot run">
        {state.error}
      </Alert>
    );
  }
  const answer = (
    <pre className="calicoscope-promql" aria-label={label}>
      {state.expr}
    </pre>
  );
  return caption ? (
    <div className="calicoscope-preview">
      <div className="calicoscope-preview-caption" style={{ fontSize: 12, opacity: 0.75, margin: '4px 0' }}>
        {caption}
      </div>
      {answer}
    </div>
  ) : (
    answer
  );
}
