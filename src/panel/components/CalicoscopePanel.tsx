import React, { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { ThemeContext, type PanelProps } from '@grafana/data';
import { config, locationService } from '@grafana/runtime';

import { toFrames } from '../frames';
import { resourceUrl } from '../resource';
import type { Glue, PanelHandle, PanelOptions } from '../types';
import { discard, loadWasm } from '../wasm';

/**
 * A click on a node, a pool header or a flow cell sets dashboard variables `var-<name>`, in
 * one step (a flow cell sets two).
 */
function setVariables(variables: Record<string, string>) {
  const query = Object.fromEntries(Object.entries(variables).map(([name, value]) => ['var-' + name, value]));
  locationService?.partial(query, true);
}

/**
 * React owns a container <div>; the wasm `Panel` (panel/src/handle.rs) mounts a leptos view
 * into it once and receives data, size, options and theme as they change. On unmount the
 * leptos view is unmounted and the wasm object freed.
 */
export function CalicoscopePanel({ options, data, width, height, replaceVariables }: PanelProps<PanelOptions>) {
  const container = useRef<HTMLDivElement>(null);
  const panel = useRef<PanelHandle | null>(null);
  const glueRef = useRef<Glue | null>(null);
  const [crashed, setCrashed] = useState<string | null>(null);
  const theme = useContext(ThemeContext);
  const dark = theme ? theme.isDark : true;

  // The pools the summary and topology show come from a dashboard variable, if any.
  let pools = options.poolVariable ? replaceVariables('${' + options.poolVariable + ':csv}') : '';
  if (pools.startsWith('${')) {
    pools = '';
  }
  const wasmOptions = useMemo(() => ({ ...options, pools }), [options, pools]);

  // What the wasm is given once it has loaded: the latest of everything (kept after each render).
  const url = resourceUrl(data, replaceVariables, config.appSubUrl ?? '');
  const from = data.timeRange.from.valueOf();
  const to = data.timeRange.to.valueOf();
  const source = useMemo(() => ({ url, from, to }), [url, from, to]);
  const latest = useRef({ wasmOptions, dark, width, height, data, source });
  useEffect(() => {
    latest.current = { wasmOptions, dark, width, height, data, source };
  });

  // Every wasm call goes through here: a panic shows as this panel's error state and the page
  // lives on.
  const call = useCallback((fn: (p: PanelHandle) => void) => {
    if (!panel.current) {
      return;
    }
    try {
      fn(panel.current);
    } catch (e) {
      let message: string | undefined;
      try {
        message = glueRef.current?.last_panic();
      } catch {
        // The wasm instance may be too broken to say more: show the JavaScript error.
      }
      panel.current = null;
      discard();
      setCrashed((message || (e instanceof Error ? e.message : String(e))) + ' (reload the dashboard to retry)');
    }
  }, []);

  useEffect(() => {
    let alive = true;
    loadWasm().then(
      (glue) => {
        if (!alive || !container.current) {
          return;
        }
        glueRef.current = glue;
        try {
          panel.current = new glue.Panel(container.current, setVariables);
        } catch (e) {
          setCrashed(String(e));
          return;
        }
        const now = latest.current;
        call((x) => {
          x.set_theme(now.dark);
          x.set_options(now.wasmOptions);
          x.set_size(now.width, now.height);
          x.set_source(now.source.url, now.source.from, now.source.to);
          x.set_data(toFrames(now.data.series));
        });
      },
      (e: unknown) => {
        if (alive) {
          setCrashed("Could not load the panel's WebAssembly: " + String(e));
        }
      }
    );
    return () => {
      alive = false;
      call((x) => {
        x.unmount();
        x.free();
      });
      panel.current = null;
    };
  }, [call]);

  useEffect(() => call((x) => x.set_options(wasmOptions)), [call, wasmOptions]);
  useEffect(() => call((x) => x.set_theme(dark)), [call, dark]);
  useEffect(() => call((x) => x.set_size(width, height)), [call, width, height]);
  useEffect(() => call((x) => x.set_source(source.url, source.from, source.to)), [call, source]);
  useEffect(() => call((x) => x.set_data(toFrames(data.series))), [call, data]);

  return (
    <div style={{ position: 'relative', width, height }}>
      <div ref={container} className="calicoscope-root" />
      {crashed && (
        <div
          role="alert"
          className="calicoscope-crash"
          style={{ position: 'absolute', inset: 0, padding: 16, color: '#f2495c' }}
        >
          {crashed}
        </div>
      )}
    </div>
  );
}
