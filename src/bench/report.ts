/**
 * The report: REPORT.md, results.json and plots/ regenerated from every stored cell of a run
 * directory. Tables: mean ± std over seeds per dataset × method, ours vs published with
 * wins/ties/losses, average ranks with a Nemenyi critical difference, cost per cell.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../engine/weights.js';
import { renderSpec, scatterSpec, taskPlotSpec, trainingCurvesSpec, type VegaLiteSpec } from './plots.js';
import { averageRanks, criticalDifference, meanStd, winTieLoss } from './stats.js';
import { readAllCells } from './store.js';
import type { CellRecord, MetricSpec, Reference } from './types.js';

export interface ReportOptions {
  /** render SVG/PNG plots (default true) */
  plots?: boolean;
  /** at most this many task plots (default 24) */
  maxTaskPlots?: number;
  /** only cells with these ids (the suite's declared cells: stale files of cells no longer declared are left out) */
  ids?: Set<string>;
}

export interface ReportSummary {
  suite: string;
  cells: number;
  ok: number;
  skipped: number;
  failed: number;
  files: string[];
}

/** Formats a number for a table: 4 decimals below 10, fewer above. */
/** Relative difference `ours / published − 1` as a signed percentage ('—' when the reference is 0). */
export function pct(ours: number, published: number): string {
  if (published === 0 || !Number.isFinite(ours / published)) return '—';
  const r = 100 * (ours / published - 1);
  return `${r >= 0 ? '+' : ''}${r.toFixed(1)} %`;
}

export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  return a >= 1000 ? x.toFixed(0) : a >= 100 ? x.toFixed(1) : a >= 10 ? x.toFixed(2) : x.toFixed(4);
}

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];
const mib = (b: number | null) => (b === null ? null : b / 2 ** 20);

/** Groups ok cells' values of `metric` by dataset then method. */
function groupMetric(records: CellRecord[], metric: string): Map<string, Map<string, number[]>> {
  const out = new Map<string, Map<string, number[]>>();
  for (const r of records) {
    const v = r.metrics[metric];
    if (r.status !== 'ok' || v === undefined || v === null) continue;
    const row = out.get(r.dataset) ?? new Map<string, number[]>();
    row.set(r.method, [...(row.get(r.method) ?? []), v]);
    out.set(r.dataset, row);
  }
  return out;
}

function mdTable(head: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${head.map(esc).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

/** The metrics to report: the suite's declared ones first, then any other metric found in ok cells. */
function reportedMetrics(records: CellRecord[], declared: MetricSpec[]): MetricSpec[] {
  const found = uniq(records.filter((r) => r.status === 'ok').flatMap((r) => Object.keys(r.metrics)));
  const known = new Set(declared.map((m) => m.name));
  return [...declared.filter((m) => found.includes(m.name)), ...found.filter((f) => !known.has(f)).map((name) => ({ name, higherIsBetter: true, undeclared: true }))];
}

/** Markdown of the mean ± std table for one metric (best mean per dataset in bold when the direction is known). */
export function meanStdTable(records: CellRecord[], metric: MetricSpec & { undeclared?: boolean }): string {
  const grouped = groupMetric(records, metric.name);
  const methods = uniq(records.filter((r) => r.status === 'ok').map((r) => r.method)).filter((m) => [...grouped.values()].some((row) => row.has(m)));
  const rows = [...grouped.keys()].sort().map((ds) => {
    const row = grouped.get(ds)!;
    const stats = methods.map((m) => (row.has(m) ? meanStd(row.get(m)!) : undefined));
    const means = stats.map((s) => s?.mean ?? NaN).filter(Number.isFinite);
    const best = metric.undeclared || methods.length < 2 ? NaN : metric.higherIsBetter ? Math.max(...means) : Math.min(...means);
    return [ds, ...stats.map((s) => {
      if (!s) return '–';
      const txt = s.n > 1 ? `${fmt(s.mean)} ± ${fmt(s.std)} (n=${s.n})` : `${fmt(s.mean)} (n=1)`;
      return s.mean === best ? `**${txt}**` : txt;
    })];
  });
  return mdTable(['dataset', ...methods], rows);
}

interface RefRow { dataset: string; method: string; metric: string; ours: number; published: number; source: string; model?: string }

/** Pairs of (our mean over seeds, reference) per dataset × method × metric. */
function referencePairs(records: CellRecord[]): RefRow[] {
  const groups = new Map<string, { r: CellRecord; ref: Reference; vals: number[] }>();
  for (const r of records) {
    if (r.status !== 'ok') continue;
    for (const ref of r.references ?? []) {
      const v = r.metrics[ref.metric];
      if (v === undefined || v === null || !Number.isFinite(v)) continue;
      const key = `${r.dataset}\u0000${r.method}\u0000${ref.metric}\u0000${ref.model ?? ''}`;
      const g = groups.get(key) ?? { r, ref, vals: [] };
      g.vals.push(v);
      groups.set(key, g);
    }
  }
  return [...groups.values()].map(({ r, ref, vals }) => ({
    dataset: r.dataset, method: r.method, metric: ref.metric, ours: meanStd(vals).mean, published: ref.value, source: ref.source, ...(ref.model ? { model: ref.model } : {}),
  })).sort((a, b) => a.metric.localeCompare(b.metric) || a.method.localeCompare(b.method) || a.dataset.localeCompare(b.dataset));
}

/** Markdown: ours vs published per cell group, then wins/ties/losses per method and metric. */
export function referenceSection(records: CellRecord[], metrics: MetricSpec[]): { md: string; pairs: RefRow[] } {
  const pairs = referencePairs(records);
  if (!pairs.length) return { md: 'No finished cell has a published reference.', pairs };
  const spec = (m: string) => metrics.find((x) => x.name === m) ?? { name: m, higherIsBetter: true };
  const tol = (m: string) => spec(m).tieTolerance ?? 0.005;
  const rows = pairs.map((p) => {
    const { wins, ties } = winTieLoss([{ ours: p.ours, ref: p.published }], spec(p.metric).higherIsBetter, tol(p.metric));
    return [p.dataset, p.method, p.metric, fmt(p.ours), fmt(p.published), fmt(p.ours - p.published), `${pct(p.ours, p.published)}`, wins ? 'win' : ties ? 'tie' : 'loss', p.source];
  });
  const vs = (p: RefRow) => (p.model ? `${p.metric} vs ${p.model}` : p.metric);
  const summary = uniq(pairs.map((p) => `${p.method}\u0000${vs(p)}`)).map((k) => {
    const [method, metric] = k.split('\u0000') as [string, string];
    const sel = pairs.filter((p) => p.method === method && vs(p) === metric);
    const m = sel[0]!.metric;
    const w = winTieLoss(sel.map((p) => ({ ours: p.ours, ref: p.published })), spec(m).higherIsBetter, tol(m));
    const md = meanStd(sel.map((p) => p.ours - p.published)).mean;
    return [method, metric, String(sel.length), `${w.wins} / ${w.ties} / ${w.losses}`, fmt(md), fmt(tol(m))];
  });
  const md = [
    mdTable(['dataset', 'method', 'metric', 'ours (mean over seeds)', 'published', 'difference', 'relative', 'result', 'source'], rows),
    '',
    mdTable(['method', 'metric', 'datasets', 'wins / ties / losses', 'mean difference', 'tie tolerance'], summary),
  ].join('\n');
  return { md, pairs };
}

/** Markdown: average ranks of methods on the primary metric, with the Nemenyi CD and groups. */
export function rankSection(records: CellRecord[], primary: MetricSpec): string {
  const grouped = groupMetric(records, primary.name);
  const methods = uniq(records.filter((r) => r.status === 'ok' && r.metrics[primary.name] !== undefined).map((r) => r.method));
  if (methods.length < 2) return `Ranks need at least two methods with \`${primary.name}\` (found ${methods.length}).`;
  const table = new Map([...grouped].map(([ds, row]) => [ds, new Map([...row].map(([m, v]) => [m, meanStd(v).mean]))]));
  const { ranks, datasets } = averageRanks(table, methods, primary.higherIsBetter);
  if (!datasets.length) return `No dataset has \`${primary.name}\` for every method, so no ranks.`;
  const cd = criticalDifference(methods.length, datasets.length);
  const order = [...methods].sort((a, b) => ranks.get(a)! - ranks.get(b)!);
  const rows = order.map((m, i) => {
    const r = ranks.get(m)!;
    const tied = order.filter((o) => o !== m && Math.abs(ranks.get(o)! - r) < cd);
    return [String(i + 1), m, r.toFixed(3), Number.isFinite(cd) ? (tied.length ? tied.join(', ') : 'none') : 'n/a'];
  });
  return [
    `Average rank on \`${primary.name}\` (${primary.higherIsBetter ? 'higher' : 'lower'} is better; 1 = best) over the ${datasets.length} dataset(s) where every method has a result.`,
    Number.isFinite(cd)
      ? `Nemenyi critical difference at α = 0.05 for k = ${methods.length}, N = ${datasets.length}: **CD = ${cd.toFixed(3)}**; methods whose average ranks differ by less than CD are not significantly different.`
      : `No critical difference for k = ${methods.length} methods (the table covers k = 2..10).`,
    '',
    mdTable(['#', 'method', 'average rank', 'not significantly different from'], rows),
  ].join('\n');
}

/** Markdown: fit/encode time, s/iter, peak RSS and throughput per ok cell group (mean over seeds). */
export function costSection(records: CellRecord[]): string {
  const ok = records.filter((r) => r.status === 'ok');
  if (!ok.length) return 'No finished cells.';
  const keys = uniq(ok.map((r) => `${r.dataset}\u0000${r.method}\u0000${r.backend}`));
  const tp = uniq(ok.flatMap((r) => Object.keys(r.throughput ?? {})));
  const rows = keys.map((k) => {
    const [dataset, method, backend] = k.split('\u0000') as [string, string, string];
    const sel = ok.filter((r) => r.dataset === dataset && r.method === method && r.backend === backend);
    const m = (f: (r: CellRecord) => number | null | undefined) => fmt(meanStd(sel.map((r) => f(r) ?? NaN)).mean);
    return [dataset, method, backend, String(sel.length), m((r) => r.fitSeconds), m((r) => r.secondsPerIteration), m((r) => r.encodeSeconds), m((r) => r.totalSeconds), m((r) => mib(r.peakRssBytes)), ...tp.map((t) => m((r) => r.throughput?.[t]))];
  });
  return mdTable(['dataset', 'method', 'backend', 'seeds', 'fit s', 's/iter', 'encode s', 'cell s', 'peak RSS MiB', ...tp], rows);
}

function provenance(records: CellRecord[], suite: string): string {
  const envs = uniq(records.map((r) => JSON.stringify(r.environment)));
  const lines = envs.map((e) => {
    const env = JSON.parse(e) as CellRecord['environment'];
    const n = records.filter((r) => JSON.stringify(r.environment) === e).length;
    return `- ${n} cell(s): tsrepr ${env.version}, commit ${env.commit ?? 'unknown'}, Node ${env.node}, ${env.platform}, ${env.cores} × ${env.cpuModel}`;
  });
  const dates = records.map((r) => r.date).sort();
  return [
    `Suite \`${suite}\`: ${records.length} cell(s); budget: ${uniq(records.map((r) => (r.quick ? 'quick' : 'full'))).join(' + ') || '–'}; backend(s): ${uniq(records.map((r) => r.backend)).join(', ') || '–'}; cells finished ${dates[0] ?? '–'} … ${dates[dates.length - 1] ?? '–'}.`,
    ...lines,
  ].join('\n');
}

async function savePlot(dir: string, name: string, spec: VegaLiteSpec, files: string[]): Promise<string | undefined> {
  try {
    const { svg, png } = await renderSpec(spec);
    await writeFile(join(dir, `${name}.svg`), svg);
    await writeFile(join(dir, `${name}.png`), png);
    await writeFile(join(dir, `${name}.vl.json`), JSON.stringify(spec));
    files.push(`plots/${name}.svg`, `plots/${name}.png`);
    return `plots/${name}.png`;
  } catch (e) {
    process.stderr.write(`[tsrepr] bench: plot ${name} failed: ${(e as Error).message}\n`);
    return undefined;
  }
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._=-]+/g, '-');

/**
 * Regenerates `<outDir>/REPORT.md`, `<outDir>/results.json` and `<outDir>/plots/` from every
 * cell stored in `<outDir>/cells/`.
 */
export async function writeReport(outDir: string, suite: { name: string; description?: string; metrics: MetricSpec[] }, opts: ReportOptions = {}): Promise<ReportSummary> {
  const records = (await readAllCells(outDir)).filter((r) => !opts.ids || opts.ids.has(r.id));
  const files: string[] = ['REPORT.md', 'results.json'];
  const count = (s: CellRecord['status']) => records.filter((r) => r.status === s).length;
  const metrics = reportedMetrics(records, suite.metrics);
  const primary = suite.metrics[0];
  const md: string[] = [`# Benchmark report: ${suite.name}`, '', suite.description ?? '', '', provenance(records, suite.name), '',
    `Cells: **${count('ok')} ok**, ${count('skipped')} skipped, ${count('failed')} failed. Regenerated from \`cells/*.json\` by \`tsrepr bench\`; every number below comes from a stored cell.`, ''];
  const stored = new Set(records.map((r) => r.id));
  const notRun = opts.ids ? [...opts.ids].filter((id) => !stored.has(id)) : [];
  if (notRun.length) md.push(`Not run yet (${notRun.length} declared cell(s) without a result; \`tsrepr bench ${suite.name}\` runs them): ${notRun.map((id) => `\`${id}\``).join(', ')}.`, '');

  for (const m of metrics) {
    md.push(`## ${m.name} (mean ± std over seeds${'undeclared' in m ? '' : `; ${m.higherIsBetter ? 'higher' : 'lower'} is better`})`, '', meanStdTable(records, m), '');
  }
  const refs = referenceSection(records, suite.metrics);
  md.push('## Ours vs published', '', refs.md, '');
  if (primary) md.push('## Ranks', '', rankSection(records, primary), '');
  md.push('## Cost (mean over seeds)', '', costSection(records), '');

  const plotLinks: string[] = [];
  if (opts.plots !== false) {
    const dir = join(outDir, 'plots');
    await mkdir(dir, { recursive: true });
    for (const metric of uniq(refs.pairs.map((p) => p.metric))) {
      const link = await savePlot(dir, `scatter-${safe(metric)}`, scatterSpec(refs.pairs.filter((p) => p.metric === metric), metric), files);
      if (link) plotLinks.push(`![${metric}: ours vs published](${link})`);
    }
    const withLoss = records.filter((r) => r.status === 'ok' && r.fit?.losses?.some(Number.isFinite));
    for (const ds of uniq(withLoss.map((r) => r.dataset))) {
      const curves = withLoss.filter((r) => r.dataset === ds).map((r) => ({ cell: `${r.method} s${r.seed}`, losses: r.fit!.losses! }));
      const link = await savePlot(dir, `training-${safe(ds)}`, trainingCurvesSpec(curves, `training loss: ${ds}`), files);
      if (link) plotLinks.push(`![training loss ${ds}](${link})`);
    }
    let n = 0;
    for (const r of records.filter((x) => x.status === 'ok' && x.plots?.length)) {
      for (const p of r.plots!) {
        if (n++ >= (opts.maxTaskPlots ?? 24)) break;
        const link = await savePlot(dir, `task-${safe(r.id)}-${safe(p.id)}`, taskPlotSpec(p), files);
        if (link) plotLinks.push(`![${p.title}](${link})`);
      }
    }
  }
  md.push('## Plots', '', plotLinks.length ? plotLinks.join('\n\n') : 'No plots (no finished cell with a reference, losses or task plots).', '');

  const notOk = records.filter((r) => r.status !== 'ok');
  md.push('## Skipped and failed cells', '', notOk.length ? mdTable(['cell', 'status', 'reason'], notOk.map((r) => [r.id, r.status, r.reason ?? ''])) : 'None.', '');

  await writeFileAtomic(join(outDir, 'REPORT.md'), md.join('\n'));
  const results = { suite: suite.name, generated: new Date().toISOString(), counts: { ok: count('ok'), skipped: count('skipped'), failed: count('failed') }, cells: records };
  await writeFileAtomic(join(outDir, 'results.json'), `${JSON.stringify(results, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  return { suite: suite.name, cells: records.length, ok: count('ok'), skipped: count('skipped'), failed: count('failed'), files };
}
