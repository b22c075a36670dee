import React from 'react';

import type { Denied } from '../types';
import { NodeList } from './NodeList';

/** What network policy denied in the last hour (from Goldmane), as the backend words it. */
export function DeniedSection({ denied }: { denied: Denied }) {
  return (
    <section className="cs-denied" aria-label="Denied traffic">
      <h2>Traffic denied by policy{denied.cluster ? ` in ${denied.cluster}` : ''} (last hour)</h2>
      <p>{denied.text}</p>
      <NodeList
        nodes={denied.policies.map((p) => ({ node: p.policy, count: p.packets, countText: p.packetsText }))}
        label="Policies (packets denied)"
      />
    </section>
  );
}
