import React from 'react';
import { dateTimeFormat } from '@grafana/data';

import type { Report } from '../types';
import { ClusterRanking } from './ClusterRanking';
import { DeniedSection } from './DeniedSection';
import { OrphanSection } from './OrphanSection';
import { PoolSection } from './PoolSection';

/** The report itself: what is printed. */
export function ReportBody({ report }: { report: Report }) {
  return (
    <article className="cs-report-body">
      <h1>Calico IP address capacity</h1>
      <p className="cs-headline" style={{ fontSize: '1.25em' }}>
        {report.headline}
      </p>
      <p className="cs-when">
        Figures at {dateTimeFormat(report.at, { format: 'D MMMM YYYY HH:mm' })}; growth fitted over the last{' '}
        {report.windowText}.
      </p>
      <ClusterRanking report={report} />
      <OrphanSection orphans={report.orphans} />
      {report.denied && <DeniedSection denied={report.denied} />}
      {report.pools.map((pool) => (
        <PoolSection key={`${pool.cluster}/${pool.name}`} pool={pool} windowText={report.windowText} />
      ))}
    </article>
  );
}
