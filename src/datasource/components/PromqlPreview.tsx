import React, { useEffect, useState } from 'react';
import { Alert } from '@grafana/ui';

import type { CalicoscopeDatasource } from '../datasource';
import { errorMessage } from '../resources';
import type { CalicoQuery } from '../types';

/** The PromQL the backend will run for `query` (its `translate` resource), or why it cannot run. */
export function PromqlPreview({ datasource, query }: { datasource: CalicoscopeDatasource; query: CalicoQuery }) {
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
  return (
    <pre className="calicoscope-promql" aria-label="PromQL">
      {state.expr}
    </pre>
  );
}
