import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

import type { PoolReport } from '../types';
import { ActionBox } from './ActionBox';
import { BigNumber } from './BigNumber';
import { NodeList } from './NodeList';
import { Sparkline } from './Sparkline';

/** One IP pool of the report: large figures, the trend, sentences and the recommended action. */
export function PoolSection({ pool, windowText }: { pool: PoolReport; windowText: string }) {
  const styles = useStyles2(getStyles);
  // As the backend's sentences name it: `cluster/pool` in a store of several clusters.
  const said = pool.cluster ? `${pool.cluster}/${pool.name}` : pool.name;
  return (
    <section className={`cs-pool ${styles.section}`} data-pool={said} aria-label={said}>
      <h2>
        {said} <span className={styles.family}>{pool.family}</span>
      </h2>
      <div className={styles.figures}>
        <BigNumber figure="used" value={pool.figures.used} label="used" />
        <BigNumber figure="free" value={pool.figures.free} label="addresses free (assignable)" />
        <BigNumber figure="reserved" value={pool.figures.reserved} label="reserved by IPReservations" />
        <BigNumber figure="fullBy" value={pool.figures.fullBy} label="full by" />
        <div className={styles.trend}>
          <Sparkline
            times={pool.trend.times}
            values={pool.trend.utilization}
            label={`${said}: utilization over the last ${windowText}`}
          />
          <div className={styles.caption}>
            {pool.trend.utilization.some((u) => u !== null)
              ? `utilization, last ${windowText}`
              : `no utilization samples over the last ${windowText}`}
          </div>
        </div>
      </div>
      <p className="cs-forecast">{pool.forecast}</p>
      <ActionBox kind={pool.action.kind} text={pool.action.text} />
      {pool.borrowingText && (
        <>
          <h3>Nodes that borrow addresses</h3>
          <p className="cs-borrowing">{pool.borrowingText}</p>
          <NodeList nodes={pool.borrowing} label="Borrowing nodes (addresses borrowed)" />
        </>
      )}
      {pool.leaksText && (
        <>
          <h3>Leaked addresses</h3>
          <p className="cs-leaks">{pool.leaksText}</p>
          <NodeList nodes={pool.leaking} label="Nodes with leaked addresses (addresses)" />
        </>
      )}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({
    marginTop: theme.spacing(3),
    paddingTop: theme.spacing(2),
    borderTop: `1px solid ${theme.colors.border.weak}`,
    h3: { fontSize: theme.typography.h5.fontSize, marginTop: theme.spacing(2) },
  }),
  family: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.h4.fontSize,
    fontWeight: theme.typography.fontWeightRegular,
  }),
  figures: css({
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-end',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(1),
  }),
  trend: css({ paddingBottom: theme.spacing(0.5) }),
  caption: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
