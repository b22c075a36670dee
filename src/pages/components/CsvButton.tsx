import React, { useState } from 'react';
import { Button } from '@grafana/ui';

import { errorText, fetchReportCsv } from '../api';

/** Saves `text` as a file through a temporary download link. */
export function download(text: string, filename: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Downloads the backend's `report.csv` for the window, as it writes it. */
export function CsvButton({
  uid,
  window,
  onError,
}: {
  uid: string;
  window: string;
  onError: (message: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const onClick = async () => {
    setBusy(true);
    try {
      download(await fetchReportCsv(uid, window), `calicoscope-capacity-${window}.csv`, 'text/csv');
    } catch (e) {
      onError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button variant="secondary" icon="download-alt" onClick={onClick} disabled={busy}>
      Download CSV
    </Button>
  );
}
