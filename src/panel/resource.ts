import type { PanelData } from '@grafana/data';

import { DATASOURCE_TYPE } from '../pages/types';

/**
 * Where the flow view lists a cell's flows: the resource API of the Calicoscope datasource that
 * answered the panel's query (Grafana proxies `…/resources/` to the backend), or '' when the
 * panel cannot tell which one that is (a mixed panel with no Calicoscope query, an unresolved
 * variable); the wasm then says so in its drill-down pane.
 *
 * ```ts
 * resourceUrl(data, replaceVariables, config.appSubUrl)
 * // '/grafana/api/datasources/uid/calico-a/resources/'
 * ```
 */
export function resourceUrl(data: PanelData, replaceVariables: (s: string) => string, appSubUrl = ''): string {
  const refs = (data.request?.targets ?? []).map((t) => t.datasource).filter((d) => d?.uid);
  // A reference without a type (older dashboards) may still be ours; one of another type is not.
  const ours = refs.find((d) => d?.type === DATASOURCE_TYPE) ?? refs.find((d) => !d?.type);
  const uid = ours?.uid ? replaceVariables(ours.uid) : '';
  if (!uid || uid.startsWith('$') || uid.startsWith('-- ')) {
    return '';
  }
  return `${appSubUrl}/api/datasources/uid/${encodeURIComponent(uid)}/resources/`;
}
