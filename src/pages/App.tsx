import React from 'react';
import type { AppRootProps } from '@grafana/data';

import { CapacityReport } from './CapacityReport';
import { useLocation } from './location';
import { PAGES } from './paths';
import { SetupCheck } from './SetupCheck';
import type { AppSettings } from './types';

/** The app's root page: the setup check at …/setup, the capacity report everywhere else. */
export function App({ meta }: AppRootProps<AppSettings>) {
  const location = useLocation();
  const settings = meta.jsonData ?? {};
  const path = location.pathname.replace(/\/+$/, '');
  return path.endsWith(PAGES.setup) ? (
    <SetupCheck location={location} settings={settings} />
  ) : (
    <CapacityReport location={location} settings={settings} />
  );
}
