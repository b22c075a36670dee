import { useEffect, useState } from 'react';

import { errorText } from './api';

export type Load<T> = { loading: true } | { loading: false; value: T } | { loading: false; error: string };

/**
 * Runs `load` whenever `key` changes; the latest answer wins, and the state is loading until the
 * answer for the current key is in. `key` undefined: nothing to load.
 */
export function useLoad<T>(key: string | undefined, load: () => Promise<T>): Load<T> | undefined {
  const [state, setState] = useState<{ key?: string; load?: Load<T> }>({});
  useEffect(() => {
    if (key === undefined) {
      return;
    }
    let alive = true;
    load().then(
      (value) => alive && setState({ key, load: { loading: false, value } }),
      (e: unknown) => alive && setState({ key, load: { loading: false, error: errorText(e) } })
    );
    return () => {
      alive = false;
    };
    // `load` is a new function on every render; `key` names what it loads.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  if (key === undefined) {
    return undefined;
  }
  return state.key === key ? state.load : { loading: true };
}
