import React from 'react';
import { useTheme2 } from '@grafana/ui';

interface Props {
  times: number[];
  values: Array<number | null>;
  width?: number;
  height?: number;
  label: string;
}

/**
 * SVG path segments for a series: x from the times, y scaled to the series' own range (flat
 * series in the middle), a gap wherever a value is null. Exported for the unit tests.
 */
export function sparklinePaths(times: number[], values: Array<number | null>, width: number, height: number): string[] {
  const points = times.map((t, i) => [t, values[i]] as const).filter(([t]) => Number.isFinite(t));
  const ys = points.map(([, v]) => v).filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
  if (points.length === 0 || ys.length === 0) {
    return [];
  }
  const [t0, t1] = [points[0][0], points[points.length - 1][0]];
  const [lo, hi] = [Math.min(...ys), Math.max(...ys)];
  const pad = 2;
  const x = (t: number) => (t1 === t0 ? width / 2 : pad + ((t - t0) / (t1 - t0)) * (width - 2 * pad));
  const y = (v: number) => (hi === lo ? height / 2 : height - pad - ((v - lo) / (hi - lo)) * (height - 2 * pad));
  const paths: string[] = [];
  let current: string[] = [];
  for (const [t, v] of points) {
    if (v === null || v === undefined || !Number.isFinite(v)) {
      if (current.length) {
        paths.push(current.join(' '));
      }
      current = [];
      continue;
    }
    current.push(`${current.length ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`);
  }
  if (current.length) {
    paths.push(current.join(' '));
  }
  // A lone point is drawn as a short dash so it shows.
  return paths.map((p) => (p.includes('L') ? p : `${p} h1`));
}

/** A small inline trend line (no axes): the backend's trend arrays as given. */
export function Sparkline({ times, values, width = 260, height = 56, label }: Props) {
  const theme = useTheme2();
  const paths = sparklinePaths(times, values, width, height);
  return (
    <svg
      className="cs-sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
    >
      <title>{label}</title>
      {paths.map((d, i) => (
        <path
          key={i}
          d={d}
          fill="none"
          stroke={theme.colors.primary.main}
          strokeWidth={2}
          strokeLinejoin="round"
          strokeLinecap="round"
        />
      ))}
    </svg>
  );
}
