import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

interface Props {
  /** The backend's display string, shown as given. */
  value: string;
  label: string;
  /** Names the figure for tests and assistive technology (`used`, `free`, ...). */
  figure: string;
}

/** One large figure with its label underneath. */
export function BigNumber({ value, label, figure }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.box} data-figure={figure}>
      <div className={styles.value}>{value}</div>
      <div className={styles.label}>{label}</div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  box: css({ minWidth: 140, padding: theme.spacing(1, 2, 1, 0) }),
  value: css({
    fontSize: theme.typography.h2.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    lineHeight: 1.2,
  }),
  label: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
