import React from 'react';
import { locationUtil } from '@grafana/data';
import { LinkButton } from '@grafana/ui';

/** The app's dashboards: uid and title of each provisioning/dashboards/*.json (a test keeps them equal). */
export const DASHBOARDS = [
  { uid: 'calicoscope-ipam', title: 'Calico IPAM' },
  { uid: 'calicoscope-felix', title: 'Calico Felix' },
  { uid: 'calicoscope-typha', title: 'Calico Typha' },
  { uid: 'calicoscope-flows', title: 'Calico Policy & flows' },
  { uid: 'calicoscope-fleet', title: 'Calico fleet overview' },
];

export function DashboardLinks() {
  return (
    <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
      {DASHBOARDS.map((d) => (
        <LinkButton key={d.uid} variant="secondary" icon="apps" href={locationUtil.assureBaseUrl(`/d/${d.uid}`)}>
          {d.title}
        </LinkButton>
      ))}
    </div>
  );
}
