/**
 * The imputation benchmark protocol for one method on one dataset: hide `missingRate` of the
 * observed entries (seeded), fit the imputer on the data with those entries removed (the
 * hidden truths are never seen), impute, and score the hidden entries in the data's units
 * and on the z-normalised scale (train statistics, masked), as SAITS/TSI-Bench report.
 */
import type { TimeSeriesDataset } from '../../data/dataset.js';
import { fitScaler } from '../../data/transforms.js';
import type { FitOptions } from '../../methods/model.js';
import { hideObserved, scoreImputation, type ImputationScores } from './evaluate.js';
import { createImputer } from './imputers.js';

export interface ImputationEvalResult {
  method: string;
  missingRate: number;
  hidden: number;
  /** scores in the data's units */
  raw: ImputationScores;
  /** scores after per-channel z-normalisation */
  normalised: ImputationScores;
  fitSeconds: number;
  imputeSeconds: number;
}

export async function evaluateImputation(
  ds: TimeSeriesDataset, method: string, opts: { missingRate: number; seed?: number; methodOptions?: Record<string, unknown>; fit?: FitOptions },
): Promise<ImputationEvalResult> {
  const hidden = hideObserved(ds, opts.missingRate, opts.seed ?? 0);
  const stats = fitScaler(hidden.ds);
  const imp = createImputer(method, opts.methodOptions);
  try {
    const t0 = performance.now();
    await imp.fit(hidden.ds, opts.fit);
    const t1 = performance.now();
    const { values } = await imp.impute(hidden.ds);
    const t2 = performance.now();
    return {
      method, missingRate: opts.missingRate, hidden: hidden.indices.length,
      raw: scoreImputation(values, hidden, ds.channels),
      normalised: scoreImputation(values, hidden, ds.channels, stats),
      fitSeconds: (t1 - t0) / 1000, imputeSeconds: (t2 - t1) / 1000,
    };
  } finally {
    imp.dispose();
  }
}
