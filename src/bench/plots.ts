/**
 * Report plots: vega-lite specs compiled to SVG (vega's headless renderer) and PNG
 * (@resvg/resvg-js). The specs are plain data so a reader can re-render or restyle them.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TaskPlot } from './types.js';

export type VegaLiteSpec = vl.TopLevelSpec;

/** Renders a vega-lite spec to SVG text and PNG bytes. */
export async function renderSpec(spec: VegaLiteSpec): Promise<{ svg: string; png: Uint8Array }> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const png = new Resvg(svg, { background: 'white', font: { loadSystemFonts: true } }).render().asPng();
    return { svg, png: new Uint8Array(png) };
  } finally {
    view.finalize();
  }
}

/** One point per (dataset, method): our mean against the published value, with the y = x diagonal. */
export function scatterSpec(points: { dataset: string; method: string; ours: number; published: number }[], metric: string): VegaLiteSpec {
  const all = points.flatMap((p) => [p.ours, p.published]);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const pad = (hi - lo) * 0.05 || 0.01;
  const domain = [lo - pad, hi + pad];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${metric}: ours vs published`,
    width: 360,
    height: 360,
    layer: [
      {
        data: { values: [{ x: domain[0], y: domain[0] }, { x: domain[1], y: domain[1] }] },
        mark: { type: 'line', color: '#999', strokeDash: [4, 4] },
        encoding: { x: { field: 'x', type: 'quantitative', scale: { domain } }, y: { field: 'y', type: 'quantitative', scale: { domain } } },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x: { field: 'published', type: 'quantitative', title: `published ${metric}`, scale: { domain } },
          y: { field: 'ours', type: 'quantitative', title: `ours ${metric}`, scale: { domain } },
          color: { field: 'method', type: 'nominal' },
          tooltip: [{ field: 'dataset' }, { field: 'method' }, { field: 'ours' }, { field: 'published' }],
        },
      },
    ],
  };
}

/** Loss per iteration, one line per cell (finite losses only). */
export function trainingCurvesSpec(curves: { cell: string; losses: number[] }[], title: string): VegaLiteSpec {
  const values = curves.flatMap((c) => c.losses.map((loss, iteration) => ({ cell: c.cell, iteration: iteration + 1, loss })).filter((p) => Number.isFinite(p.loss)));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 480,
    height: 280,
    data: { values },
    mark: { type: 'line', strokeWidth: 1 },
    encoding: {
      x: { field: 'iteration', type: 'quantitative' },
      y: { field: 'loss', type: 'quantitative' },
      color: { field: 'cell', type: 'nominal' },
    },
  };
}

/** A cell's task plot (forecast vs truth, anomaly scores, imputations) as lines, with shaded bands. */
/**
 * Shrinks a long task plot to at most `maxPoints` points per series: each bucket of consecutive
 * steps keeps its largest value (spikes, e.g. anomaly scores, survive) at the bucket's first x;
 * values are rounded to 5 significant digits. Bands keep their x units. Short plots pass unchanged.
 */
export function downsamplePlot(plot: TaskPlot, maxPoints = 1500): TaskPlot {
  const n = Math.max(0, ...plot.series.map((s) => s.values.length));
  if (n <= maxPoints) return plot;
  const f = Math.ceil(n / maxPoints);
  const buckets = Math.ceil(n / f);
  const x = Array.from({ length: buckets }, (_, b) => plot.x?.[b * f] ?? b * f);
  const series = plot.series.map((s) => ({
    name: s.name,
    values: Array.from({ length: buckets }, (_, b) => {
      let m = -Infinity;
      for (let i = b * f; i < Math.min(s.values.length, (b + 1) * f); i++) if (s.values[i]! > m) m = s.values[i]!;
      return Number.isFinite(m) ? Number(m.toPrecision(5)) : NaN;
    }),
  }));
  return { ...plot, x, series };
}

export function taskPlotSpec(plot: TaskPlot): VegaLiteSpec {
  const values = plot.series.flatMap((s) => s.values.map((y, i) => ({ series: s.name, x: plot.x?.[i] ?? i, y }))).filter((p) => Number.isFinite(p.y));
  const layers: NonNullable<Extract<VegaLiteSpec, { layer: unknown }>['layer']> = [];
  if (plot.bands?.length) {
    layers.push({
      data: { values: plot.bands.map(([x0, x1]) => ({ x0, x1 })) },
      mark: { type: 'rect', color: '#f4a3a3', opacity: 0.35 },
      encoding: { x: { field: 'x0', type: 'quantitative' }, x2: { field: 'x1' } },
    });
  }
  layers.push({
    data: { values },
    mark: { type: 'line', strokeWidth: 1 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: plot.xLabel ?? 'time' },
      y: { field: 'y', type: 'quantitative', title: plot.yLabel ?? 'value' },
      color: { field: 'series', type: 'nominal' },
    },
  });
  return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title: plot.title, width: 560, height: 240, layer: layers };
}
