import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TsreprError } from '../errors.js';
import { createDataset, type TimeSeriesDataset } from './dataset.js';
import { parseNumberCell } from './parse.js';
import { readText } from './read.js';

/** The 35 time-varying variables of PhysioNet 2012 used by BRITS/SAITS (all but MechVent and Weight). */
export const PHYSIONET2012_VARIABLES = [
  'ALP', 'ALT', 'AST', 'Albumin', 'BUN', 'Bilirubin', 'Cholesterol', 'Creatinine', 'DiasABP', 'FiO2',
  'GCS', 'Glucose', 'HCO3', 'HCT', 'HR', 'K', 'Lactate', 'MAP', 'Mg', 'NIDiasABP', 'NIMAP',
  'NISysABP', 'Na', 'PaCO2', 'PaO2', 'Platelets', 'RespRate', 'SaO2', 'SysABP', 'Temp',
  'TroponinI', 'TroponinT', 'Urine', 'WBC', 'pH',
] as const;

/** Static descriptors recorded at 00:00 (−1 = unknown, kept as NaN). RecordID is the series id. */
export const PHYSIONET2012_STATICS = ['Age', 'Gender', 'Height', 'ICUType', 'Weight'] as const;

export interface Physionet2012Options {
  /** `Outcomes-a.txt` (RecordID,…,In-hospital_death); gives `labels` (0 survived, 1 died) */
  outcomesPath?: string;
  /** read only the first `limit` records (sorted by file name) */
  limit?: number;
  /** bin width in minutes (default 60) */
  binMinutes?: number;
  /** number of bins (default 48 h / binMinutes) */
  steps?: number;
  /** variables to keep as channels (default the 35 of PHYSIONET2012_VARIABLES) */
  variables?: readonly string[];
  /** how to combine several observations in one bin (default 'mean') */
  aggregate?: 'mean' | 'last';
}

/** PhysioNet 2012 records on a regular grid: `[N, steps, V]`, mask 0 where nothing was measured. */
export interface Physionet2012Dataset extends TimeSeriesDataset {
  /** `[N, 5]` static descriptors (Age, Gender, Height, ICUType, Weight), NaN when −1/absent */
  readonly statics: Float32Array;
  readonly staticNames: string[];
}

/**
 * Loads PhysioNet/CinC 2012 records (a `set-a`-style directory of `<RecordID>.txt` files with
 * `Time,Parameter,Value` rows and `HH:MM` times since admission) onto a grid of `steps`
 * bins of `binMinutes` (default 48 hourly steps). Observations at or after the end (48:00)
 * fall into the last bin. Several observations in a bin are averaged (or the last kept).
 * Timestamps are minutes since admission × 60000 (bin starts), so they are relative ms.
 */
export async function loadPhysionet2012(dir: string, opts: Physionet2012Options = {}): Promise<Physionet2012Dataset> {
  const binMinutes = opts.binMinutes ?? 60;
  const steps = opts.steps ?? Math.ceil((48 * 60) / binMinutes);
  const variables = opts.variables ?? PHYSIONET2012_VARIABLES;
  const vIndex = new Map(variables.map((v, k) => [v, k]));
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => /\.txt(\.gz)?$/.test(f) && !/^outcomes/i.test(f)).sort();
  } catch (err) {
    throw new TsreprError('IO', `cannot list directory (${(err as NodeJS.ErrnoException).code ?? err})`, { file: dir }, { cause: err });
  }
  if (opts.limit !== undefined) files = files.slice(0, opts.limit);
  if (files.length === 0) throw new TsreprError('EMPTY_INPUT', 'no <RecordID>.txt records', { file: dir });
  const n = files.length, C = variables.length, S = PHYSIONET2012_STATICS.length;
  const sums = new Float64Array(n * steps * C);
  const counts = new Uint16Array(n * steps * C);
  const statics = new Float32Array(n * S).fill(NaN);
  const ids: string[] = [];
  for (let s = 0; s < n; s++) {
    const file = join(dir, files[s]!);
    const lines = (await readText(file)).split(/\r?\n/);
    if (!/^time,parameter,value$/i.test(lines[0]!.trim())) {
      throw new TsreprError('MISSING_COLUMN', `expected the header "Time,Parameter,Value", got ${JSON.stringify(lines[0]!.trim())}`, { file, row: 1 });
    }
    let id = files[s]!.replace(/\.txt(\.gz)?$/, '');
    for (let r = 1; r < lines.length; r++) {
      const l = lines[r]!.trim();
      if (l === '') continue;
      const [time, param, val] = l.split(',');
      if (val === undefined) throw new TsreprError('RAGGED', 'expected 3 fields Time,Parameter,Value', { file, row: r + 1 });
      const tm = /^(\d+):(\d{2})$/.exec(time!.trim());
      if (!tm) throw new TsreprError('BAD_INPUT', `time ${JSON.stringify(time)} is not HH:MM`, { file, row: r + 1, column: 'Time' });
      const minutes = +tm[1]! * 60 + +tm[2]!;
      const v = parseNumberCell(val, { file, row: r + 1, column: 'Value' });
      const p = param!.trim();
      if (minutes === 0 && p === 'RecordID') { id = String(v); continue; }
      const si = (PHYSIONET2012_STATICS as readonly string[]).indexOf(p);
      if (minutes === 0 && si >= 0 && Number.isNaN(statics[s * S + si]!)) {
        statics[s * S + si] = v === -1 ? NaN : v;
        continue;
      }
      const c = vIndex.get(p);
      if (c === undefined || Number.isNaN(v)) continue;
      const b = Math.min(Math.floor(minutes / binMinutes), steps - 1);
      const k = (s * steps + b) * C + c;
      if (opts.aggregate === 'last') { sums[k] = v; counts[k] = 1; } else { sums[k] = sums[k]! + v; counts[k] = counts[k]! + 1; }
    }
    ids.push(id);
  }
  const values = new Float32Array(n * steps * C);
  for (let k = 0; k < values.length; k++) values[k] = counts[k] ? sums[k]! / counts[k]! : NaN;
  const timestamps = new Float64Array(n * steps);
  for (let s = 0; s < n; s++) for (let b = 0; b < steps; b++) timestamps[s * steps + b] = b * binMinutes * 60_000;
  let labels: Int32Array | undefined;
  if (opts.outcomesPath) labels = await readOutcomes(opts.outcomesPath, ids);
  const ds = createDataset({
    values, n, length: steps, channels: C, lengths: new Int32Array(n).fill(steps), timestamps,
    channelNames: [...variables], seriesIds: ids, labels, classNames: labels ? ['survived', 'died'] : undefined, source: dir,
  });
  return { ...ds, statics, staticNames: [...PHYSIONET2012_STATICS] };
}

/** Reads `In-hospital_death` per RecordID from Outcomes-a.txt; MISSING_LABELS for an absent record. */
async function readOutcomes(path: string, ids: string[]): Promise<Int32Array> {
  const lines = (await readText(path)).split(/\r?\n/);
  const header = lines[0]!.split(',').map((h) => h.trim());
  const idCol = header.indexOf('RecordID'), yCol = header.indexOf('In-hospital_death');
  for (const [col, name] of [[idCol, 'RecordID'], [yCol, 'In-hospital_death']] as const) {
    if (col < 0) throw new TsreprError('MISSING_COLUMN', `column ${JSON.stringify(name)} not found; available columns: ${header.join(', ')}`, { file: path, row: 1, column: name });
  }
  const byId = new Map<string, number>();
  for (let r = 1; r < lines.length; r++) {
    if (lines[r]!.trim() === '') continue;
    const cells = lines[r]!.split(',');
    const y = parseNumberCell(cells[yCol], { file: path, row: r + 1, column: 'In-hospital_death' });
    byId.set(String(Number(cells[idCol])), y);
  }
  return Int32Array.from(ids, (id) => {
    const y = byId.get(String(Number(id)));
    if (y === undefined || Number.isNaN(y)) throw new TsreprError('MISSING_LABELS', `no In-hospital_death for RecordID ${id}`, { file: path, column: 'In-hospital_death' });
    return y;
  });
}
