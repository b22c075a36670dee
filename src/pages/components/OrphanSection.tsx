import React from 'react';

import type { Orphans } from '../types';
import { NodeList } from './NodeList';

/** Blocks in no current IP pool (no_ippool), when there are any. */
export function OrphanSection({ orphans }: { orphans: Orphans }) {
  if (!orphans.blocks && !orphans.text) {
    return null;
  }
  return (
    <section className="cs-orphans" aria-label="Orphan blocks">
      <h2>Orphan blocks (in no IP pool)</h2>
      <p>{orphans.text}</p>
      <NodeList nodes={orphans.nodes} label="Nodes holding them (blocks)" />
    </section>
  );
}
