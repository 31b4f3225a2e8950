/**
 * A figure over time: a small SVG line chart (no chart library) with the same numbers in a
 * table beside it, which is what a screen reader reads; the chart itself is one image with a
 * name. A withheld point ("< 5") breaks the line instead of being drawn as 0.
 */
import { makeStyles, tokens } from '@fluentui/react-components';
import { useId } from 'react';
import type { SeriesPoint } from '../api/analytics-api.js';

const WIDTH = 480;
const HEIGHT = 180;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };

const useStyles = makeStyles({
  figure: { margin: 0, display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalL, alignItems: 'flex-start', breakInside: 'avoid' },
  caption: { flexBasis: '100%', fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase300 },
  svg: { width: '100%', maxWidth: `${WIDTH}px`, height: 'auto', flexShrink: 0 },
  axis: { stroke: tokens.colorNeutralStroke1, strokeWidth: 1 },
  grid: { stroke: tokens.colorNeutralStroke2, strokeWidth: 1, strokeDasharray: '2 3' },
  line: { fill: 'none', stroke: tokens.colorBrandForeground1, strokeWidth: 2 },
  dot: { fill: tokens.colorBrandForeground1 },
  label: { fill: tokens.colorNeutralForeground2, fontSize: '11px' },
  tableWrap: { maxHeight: '220px', overflowY: 'auto', flexGrow: 1, minWidth: '220px', '@media print': { maxHeight: 'none', overflowY: 'visible' } },
  table: { borderCollapse: 'collapse', width: '100%', fontSize: tokens.fontSizeBase200 },
  cell: { textAlign: 'left', padding: `2px ${tokens.spacingHorizontalS}`, borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}` },
  number: { textAlign: 'right', fontVariantNumeric: 'tabular-nums' },
});

export interface LineChartProps {
  title: string;
  points: readonly SeriesPoint[];
  format: (value: number) => string;
  formatPeriod: (start: string) => string;
  labels: { period: string; value: string; suppressed: string };
}

export function LineChart({ title, points, format, formatPeriod, labels }: LineChartProps) {
  const styles = useStyles();
  const captionId = useId();
  const tableRegionId = useId();
  const values = points.map((p) => p.value ?? 0);
  const max = Math.max(1, ...values);
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (points.length <= 1 ? innerW / 2 : (i / (points.length - 1)) * innerW);
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  // One path of segments, broken where a point is withheld.
  let d = '';
  let drawing = false;
  points.forEach((p, i) => {
    if (p.value === null) {
      drawing = false;
      return;
    }
    d += `${drawing ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)} `;
    drawing = true;
  });
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <figure className={styles.figure} aria-labelledby={captionId}>
      <figcaption id={captionId} className={styles.caption}>
        {title}
      </figcaption>
      <svg className={styles.svg} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={captionId} aria-describedby={tableRegionId} focusable="false">
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line className={styles.grid} x1={PAD.left} x2={WIDTH - PAD.right} y1={y(max * f)} y2={y(max * f)} />
            <text className={styles.label} x={PAD.left - 6} y={y(max * f) + 4} textAnchor="end">
              {format(Math.round(max * f * 10) / 10)}
            </text>
          </g>
        ))}
        <line className={styles.axis} x1={PAD.left} x2={WIDTH - PAD.right} y1={PAD.top + innerH} y2={PAD.top + innerH} />
        <path className={styles.line} d={d.trim()} />
        {points.length <= 40 ? points.map((p, i) => (p.value === null ? null : <circle key={p.start} className={styles.dot} cx={x(i)} cy={y(p.value)} r={2.5} />)) : null}
        {first ? (
          <text className={styles.label} x={PAD.left} y={HEIGHT - 8} textAnchor="start">
            {formatPeriod(first.start)}
          </text>
        ) : null}
        {last && last !== first ? (
          <text className={styles.label} x={WIDTH - PAD.right} y={HEIGHT - 8} textAnchor="end">
            {formatPeriod(last.start)}
          </text>
        ) : null}
      </svg>
      <div className={styles.tableWrap} id={tableRegionId} role="region" aria-labelledby={captionId} tabIndex={0}>
        <table className={styles.table} aria-labelledby={captionId}>
          <thead>
            <tr>
              <th scope="col" className={styles.cell}>
                {labels.period}
              </th>
              <th scope="col" className={`${styles.cell} ${styles.number}`}>
                {labels.value}
              </th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.start}>
                <th scope="row" className={styles.cell}>
                  {formatPeriod(p.start)}
                </th>
                <td className={`${styles.cell} ${styles.number}`}>{p.suppressed ? labels.suppressed : p.value === null ? '—' : format(p.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
