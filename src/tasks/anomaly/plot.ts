/**
 * A vega-lite spec (plain data) of an anomaly detection: the series with flagged points and label
 * windows shaded, and below it the standardised score with the threshold line.
 */

export interface AnomalyPlotInput {
  /** x values: ms since epoch (time axis) or step indices */
  x: ArrayLike<number>;
  isTime: boolean;
  value: ArrayLike<number>;
  /** standardised score (NaN where undefined) */
  score: ArrayLike<number>;
  flags: ArrayLike<number>;
  /** label windows as [xStart, xEnd] in the units of `x` */
  windows?: readonly (readonly [number, number])[];
  threshold: number;
  title?: string;
  /** at most this many points are drawn (every k-th point; flags always kept) */
  maxPoints?: number;
}

/** Builds the spec (vega-lite v5 schema; render with vega's View#toSVG). */
export function anomalyPlotSpec(p: AnomalyPlotInput): Record<string, unknown> {
  const n = p.x.length;
  const stride = Math.max(1, Math.ceil(n / (p.maxPoints ?? 4000)));
  const rows: { x: number; value: number | null; score: number | null }[] = [];
  const flagged: { x: number; value: number | null }[] = [];
  const num = (v: number) => (Number.isFinite(v) ? v : null);
  for (let i = 0; i < n; i++) {
    if (i % stride === 0) rows.push({ x: p.x[i]!, value: num(p.value[i]!), score: num(p.score[i]!) });
    if (p.flags[i]! > 0) flagged.push({ x: p.x[i]!, value: num(p.value[i]!) });
  }
  const xType = p.isTime ? 'temporal' : 'quantitative';
  const xEnc = { field: 'x', type: xType, title: p.isTime ? 'time' : 'step' };
  const windows = (p.windows ?? []).map(([a, b]) => ({ x: a, x2: b }));
  const shade = { data: { values: windows }, mark: { type: 'rect', color: '#f4a261', opacity: 0.3 }, encoding: { x: { field: 'x', type: xType }, x2: { field: 'x2' } } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: p.title ?? 'anomaly detection',
    vconcat: [
      {
        width: 900, height: 220,
        layer: [
          shade,
          { data: { values: rows }, mark: { type: 'line', strokeWidth: 1, color: '#264653' }, encoding: { x: xEnc, y: { field: 'value', type: 'quantitative', title: 'value' } } },
          { data: { values: flagged }, mark: { type: 'point', color: '#e63946', filled: true, size: 40 }, encoding: { x: xEnc, y: { field: 'value', type: 'quantitative' } } },
        ],
      },
      {
        width: 900, height: 140,
        layer: [
          shade,
          { data: { values: rows }, mark: { type: 'line', strokeWidth: 1, color: '#2a9d8f' }, encoding: { x: xEnc, y: { field: 'score', type: 'quantitative', title: 'score (std units)' } } },
          { data: { values: [{ y: p.threshold }] }, mark: { type: 'rule', color: '#e63946', strokeDash: [4, 4] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
        ],
      },
    ],
  };
}
