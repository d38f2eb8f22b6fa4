/**
 * Benchmark suites as data: a suite is a list of cells, one per (dataset, method, seed), each
 * naming the adapter function that computes its metrics. The runner executes cells, stores one
 * JSON record per cell and the report is regenerated from the stored records.
 */
import type { ProgressCallback } from '../engine/progress.js';

/** How a metric is read: which way is better, and within what difference two values tie. */
export interface MetricSpec {
  name: string;
  higherIsBetter: boolean;
  /** |a − b| ≤ tieTolerance counts as a tie in wins/ties/losses (default 0.005) */
  tieTolerance?: number;
}

/** A published (or officially re-run) number a cell's primary metric is compared against. */
export interface Reference {
  metric: string;
  value: number;
  /** where the number comes from (paper, table, note file) */
  source: string;
  /** the model the number belongs to ('TS2Vec', 'PatchTST SSL', …) when a cell has several references */
  model?: string;
}

/** Training figures a cell returns when it trains something. */
export interface FitSummary {
  iterations: number;
  seconds: number;
  secondsPerIteration: number;
  /** loss per iteration (NaN where not read back) */
  losses?: number[];
}

/**
 * A task plot a cell can return as plain data (a forecast against the truth, anomaly scores,
 * imputations): drawn as lines over `x` (default 0..n−1), one colour per series.
 */
export interface TaskPlot {
  /** file-name-safe id, unique within the cell, e.g. 'forecast-h24' */
  id: string;
  title: string;
  series: { name: string; values: number[] }[];
  x?: number[];
  xLabel?: string;
  yLabel?: string;
  /** x ranges to shade (e.g. labelled anomaly windows) */
  bands?: [number, number][];
}

/** What an adapter function returns for one cell. */
export interface CellOutput {
  metrics: Record<string, number>;
  fit?: FitSummary;
  /** seconds spent computing representations / predictions */
  encodeSeconds?: number;
  /** throughput figures (speed suite), e.g. trainSamplesPerSecond */
  throughput?: Record<string, number>;
  plots?: TaskPlot[];
  /** anything else worth keeping (chosen hyper-parameters, sizes) */
  extra?: Record<string, unknown>;
}

/** Everything an adapter function gets to run one cell. */
export interface CellContext {
  dataset: string;
  method: string;
  seed: number;
  config: Record<string, unknown>;
  quick: boolean;
  /** extra dataset directory (`--data-dir` / TSREPR_DATA) */
  dataDir?: string;
  /** backend the cell runs on */
  backend: string;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

export type CellFunction = (ctx: CellContext) => Promise<CellOutput>;

/** One declared cell of a suite. */
export interface CellSpec {
  dataset: string;
  method: string;
  seed: number;
  /** task name shown in the report (classification, forecasting, …) */
  task: string;
  /** the adapter's name, shown when it is unavailable ('tasks/classification evaluateClassification') */
  adapter: string;
  /** hyper-parameters and protocol settings, passed to the adapter and stored in the cell */
  config: Record<string, unknown>;
  /** runs the cell; may throw `CellSkip` (missing data, missing adapter) */
  run: CellFunction;
  /** published references, one per metric they apply to (e.g. MSE at each horizon) */
  references?: Reference[];
  /** datasets the cell needs (default `[dataset]`), checked before running; omit for synthetic data */
  requires?: string[];
  /** backend to run on (speed suite); default: the one the runner was started with */
  backend?: string;
}

export interface SuiteOptions {
  quick: boolean;
  seeds?: number[];
}

/** A suite: metrics and cells, built for full or quick budgets. */
export interface Suite {
  name: string;
  description: string;
  metrics: MetricSpec[];
  /** the declared cells (no work happens here) */
  cells(opts: SuiteOptions): CellSpec[];
}

export type CellStatus = 'ok' | 'skipped' | 'failed';

/** Where and with what a cell ran. */
export interface RunEnvironment {
  version: string;
  commit: string | null;
  node: string;
  cpuModel: string;
  cores: number;
  platform: string;
}

/** The stored record of one cell: `<out>/cells/<id>.json`. */
export interface CellRecord {
  id: string;
  suite: string;
  dataset: string;
  method: string;
  seed: number;
  task: string;
  adapter: string;
  status: CellStatus;
  /** why it was skipped or failed, and where to get missing data */
  reason?: string;
  quick: boolean;
  config: Record<string, unknown>;
  metrics: Record<string, number>;
  references?: (Reference & { difference: number | null })[];
  fit?: FitSummary;
  fitSeconds: number | null;
  encodeSeconds: number | null;
  secondsPerIteration: number | null;
  totalSeconds: number;
  peakRssBytes: number | null;
  throughput?: Record<string, number>;
  plots?: TaskPlot[];
  extra?: Record<string, unknown>;
  backend: string;
  environment: RunEnvironment;
  /** ISO date the cell finished */
  date: string;
}
