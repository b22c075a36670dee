import { getBackendSrv } from '@grafana/runtime';

import type { AppSettings, HealthAnswer, Report } from './types';

const quiet = { showErrorAlert: false, showSuccessAlert: false };

function resourceUrl(uid: string, path: string): string {
  return `/api/datasources/uid/${encodeURIComponent(uid)}/resources/${path}`;
}

/**
 * The message of a failed request: the backend's `{error}` (the report resource), Grafana's
 * `{message}`, else the error itself.
 */
export function errorText(e: unknown): string {
  const err = e as {
    data?: { error?: unknown; message?: unknown };
    status?: number;
    statusText?: string;
    message?: unknown;
  } | null;
  const data = err?.data;
  if (data && typeof data.error === 'string') {
    return data.error;
  }
  if (data && typeof data.message === 'string' && data.message) {
    return data.message;
  }
  if (typeof err?.message === 'string') {
    return err.message;
  }
  return err?.status ? `HTTP ${err.status} ${err.statusText ?? ''}`.trim() : String(e);
}

/** The capacity report for a window (a Prometheus duration such as 7d). */
export function fetchReport(uid: string, window: string): Promise<Report> {
  return getBackendSrv().get<Report>(resourceUrl(uid, 'report'), { window }, undefined, quiet);
}

/** The report's numbers as CSV, exactly as the backend writes them. */
export function fetchReportCsv(uid: string, window: string): Promise<string> {
  return getBackendSrv().get<string>(resourceUrl(uid, 'report.csv'), { window }, undefined, {
    ...quiet,
    responseType: 'text',
  });
}

/**
 * The datasource's health check. Grafana answers a failed check with HTTP 400 and the same
 * body, so that answer is returned too; other failures throw.
 */
export async function fetchHealth(uid: string): Promise<HealthAnswer> {
  try {
    return await getBackendSrv().get<HealthAnswer>(
      `/api/datasources/uid/${encodeURIComponent(uid)}/health`,
      undefined,
      undefined,
      quiet
    );
  } catch (e) {
    const data = (e as { data?: Partial<HealthAnswer> } | null)?.data;
    if (data && typeof data.status === 'string' && typeof data.message === 'string') {
      return data as HealthAnswer;
    }
    throw e;
  }
}

/** Saves the app's settings as Grafana's own app configuration pages do. */
export function saveAppSettings(settings: {
  enabled: boolean;
  pinned: boolean;
  jsonData: AppSettings;
}): Promise<unknown> {
  return getBackendSrv().post('/api/plugins/calicoscope-app/settings', settings, quiet);
}
