import React from 'react';
import { Alert } from '@grafana/ui';

import type { ActionKind } from '../types';

const SEVERITY: Record<ActionKind, 'error' | 'warning' | 'info' | 'success'> = {
  'add-pool': 'error',
  'investigate-leaks': 'warning',
  watch: 'info',
  nothing: 'success',
};

/** The pool's recommended action, as the backend words it. */
export function ActionBox({ kind, text }: { kind: ActionKind; text: string }) {
  return (
    <div className="cs-action" data-action={kind}>
      <Alert severity={SEVERITY[kind] ?? 'info'} title="Recommended action">
        <span className="cs-action-text">{text}</span>
      </Alert>
    </div>
  );
}
