import React from 'react';
import { Alert } from '@grafana/ui';

import type { HealthAnswer } from '../types';

/**
 * The health check's verdict and message as the backend words it: an error when the check
 * failed, a warning when it passed with components missing (their fixes are listed below).
 */
export function HealthSummary({ answer }: { answer: HealthAnswer }) {
  const missing = answer.details?.components.filter((c) => c.series === 0).length ?? 0;
  const ok = answer.status === 'OK';
  const title = !ok
    ? 'The datasource does not work'
    : missing === 1
      ? 'The datasource works; 1 Calico component has no metrics'
      : missing
        ? `The datasource works; ${missing} Calico components have no metrics`
        : 'The datasource works';
  return (
    <Alert severity={!ok ? 'error' : missing ? 'warning' : 'success'} title={title}>
      <span className="cs-health-message">{answer.message}</span>
    </Alert>
  );
}
