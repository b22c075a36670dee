import React from 'react';

import type { NodeCount } from '../types';

interface Props {
  nodes: NodeCount[];
  /** What the list is, e.g. "Borrowing nodes (addresses borrowed)". */
  label: string;
  /** Nodes named before "and N more". */
  limit?: number;
}

/** A list of names with counts (nodes, or policies) in the backend's order (most first), shortened past `limit`. */
export function NodeList({ nodes, label, limit = 12 }: Props) {
  if (nodes.length === 0) {
    return null;
  }
  const shown = nodes.slice(0, limit);
  const rest = nodes.length - shown.length;
  return (
    <p className="cs-nodes">
      {label}:{' '}
      {shown.map((n, i) => (
        <span key={n.node}>
          {i > 0 && ', '}
          <code>{n.node}</code> ({n.countText})
        </span>
      ))}
      {rest > 0 && `, and ${rest} more`}
    </p>
  );
}
