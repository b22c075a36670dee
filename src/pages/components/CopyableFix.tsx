import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { ClipboardButton, useStyles2 } from '@grafana/ui';

/** The backend's fix as a block of text with a copy button. */
export function CopyableFix({ text, label }: { text: string; label: string }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.box}>
      <pre className={styles.pre} aria-label={label}>
        {text}
      </pre>
      <ClipboardButton icon="copy" variant="secondary" size="sm" getText={() => text} aria-label={`Copy: ${label}`}>
        Copy
      </ClipboardButton>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  box: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'flex-start', margin: theme.spacing(1, 0) }),
  pre: css({ flex: 1, margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-word' }),
});
