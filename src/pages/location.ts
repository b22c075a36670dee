import { useEffect, useState } from 'react';
import { locationService } from '@grafana/runtime';

export interface PageLocation {
  pathname: string;
  search: Record<string, string>;
}

function current(): PageLocation {
  const search: Record<string, string> = {};
  for (const [k, v] of Object.entries(locationService.getSearchObject())) {
    if (v !== undefined && v !== null) {
      search[k] = String(Array.isArray(v) ? v[0] : v);
    }
  }
  return { pathname: locationService.getLocation().pathname, search };
}

/**
 * The page's path and query, re-read on every navigation. From @grafana/runtime's
 * locationService rather than react-router, whose major version differs between Grafana 10.4
 * (v5) and 11+ (v6).
 */
export function useLocation(): PageLocation {
  const [location, setLocation] = useState(current);
  useEffect(() => locationService.getHistory().listen(() => setLocation(current())), []);
  return location;
}

/** Sets query parameters of the page's URL (an empty value removes one). */
export function setQuery(params: Record<string, string | undefined>, replace = false) {
  const query: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(params)) {
    query[k] = v ? v : null;
  }
  locationService.partial(query, replace);
}
