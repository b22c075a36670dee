import React from 'react';
import { Card, Icon } from '@grafana/ui';

import type { HealthDetails } from '../types';
import { CopyableFix } from './CopyableFix';

type Finding = HealthDetails['components'][number];

/** One Calico component of the health check: found (with its series), or missing with the fix. */
export function ComponentFinding({ finding }: { finding: Finding }) {
  const found = finding.series > 0;
  return (
    <Card data-component={finding.component}>
      <Card.Heading>{finding.component}</Card.Heading>
      <Card.Figure>
        <Icon
          name={found ? 'check-circle' : 'exclamation-triangle'}
          size="xl"
          aria-label={found ? 'found' : 'missing'}
        />
      </Card.Figure>
      <Card.Description>
        {found ? (
          `Metrics found (${finding.series} ${finding.series === 1 ? 'target' : 'targets'} exporting them).`
        ) : (
          <CopyableFix text={finding.fix} label={`Fix for ${finding.component}`} />
        )}
      </Card.Description>
    </Card>
  );
}
