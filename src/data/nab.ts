import { TsreprError } from '../errors.js';
import type { TimeSeriesDataset } from './dataset.js';
import { loadCsv } from './csv.js';
import { parseTimeCell } from './parse.js';
import { readText } from './read.js';

/** A NAB series: 1 series, 1 channel (`value`), timestamps in ms, plus its anomaly windows. */
export interface NabDataset extends TimeSeriesDataset {
  /** anomaly windows `[startMs, endMs]` (inclusive) from the label file; [] when none */
  readonly windows: [number, number][];
  /** `[T]` 1 where the time stamp falls inside a window */
  readonly pointLabels: Uint8Array;
  /** the `category/file.csv` key matched in the label file, if any */
  readonly labelKey?: string;
}

/** Normalises a path for suffix matching: forward slashes, no `.gz`. */
function norm(p: string): string {
  return p.replace(/\\/g, '/').replace(/\.gz$/, '');
}

/**
 * Loads one NAB CSV (`timestamp,value`) and, when `labelsJsonPath` is given (e.g.
 * `labels/combined_windows.json`), the anomaly windows of that file. The label JSON is keyed by
 * `category/file.csv`; the key whose path is a suffix of `csvPath` is used. A labels file with
 * no entry for this CSV throws MISSING_LABELS.
 */
export async function loadNab(csvPath: string, labelsJsonPath?: string): Promise<NabDataset> {
  const ds = await loadCsv(csvPath, { time: 'timestamp', columns: ['value'] });
  let windows: [number, number][] = [];
  let labelKey: string | undefined;
  if (labelsJsonPath) {
    let json: unknown;
    try { json = JSON.parse(await readText(labelsJsonPath)); } catch (err) {
      if (err instanceof TsreprError) throw err;
      throw new TsreprError('BAD_INPUT', `invalid JSON: ${(err as Error).message}`, { file: labelsJsonPath }, { cause: err });
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw new TsreprError('BAD_INPUT', 'expected an object keyed by "category/file.csv"', { file: labelsJsonPath });
    const target = '/' + norm(csvPath);
    labelKey = Object.keys(json).find((k) => target.endsWith('/' + norm(k)));
    if (labelKey === undefined) {
      throw new TsreprError('MISSING_LABELS', `no entry for ${csvPath} (keys look like ${JSON.stringify(Object.keys(json)[0] ?? '')})`, { file: labelsJsonPath });
    }
    const entry = (json as Record<string, unknown>)[labelKey];
    if (!Array.isArray(entry)) throw new TsreprError('BAD_INPUT', `entry ${JSON.stringify(labelKey)} is not a list of windows`, { file: labelsJsonPath });
    windows = entry.map((w, k) => {
      if (!Array.isArray(w) || w.length !== 2) throw new TsreprError('BAD_INPUT', `window ${k} of ${labelKey} is not a [start, end] pair`, { file: labelsJsonPath });
      return [parseTimeCell(w[0], { file: labelsJsonPath, column: labelKey }), parseTimeCell(w[1], { file: labelsJsonPath, column: labelKey })] as [number, number];
    });
  }
  const ts = ds.timestamps!;
  const pointLabels = new Uint8Array(ds.length);
  for (let t = 0; t < ds.length; t++) pointLabels[t] = windows.some(([a, b]) => ts[t]! >= a && ts[t]! <= b) ? 1 : 0;
  return { ...ds, windows, pointLabels, labelKey };
}
