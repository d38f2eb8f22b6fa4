/**
 * Anomaly detection: metrics (point / point-adjusted / delay-adjusted F1, NAB score), the
 * detector interface with streaming, and detectors by name.
 */
import { TsreprError } from '../../errors.js';
import type { RepresentationModel } from '../../methods/model.js';
import { AnomalyDetector, type DetectorOptions } from './detector.js';
import { ReconstructionScorer } from './reconstruction.js';
import { RepresentationDiffScorer, RepresentationKnnScorer } from './representation.js';
import { KnnScorer, type KnnScorerOptions } from './knn.js';
import { MultiScaleKnnScorer } from './knn-multiscale.js';
import { RandomScorer, RollingZScoreScorer, type ZScoreOptions } from './statistical.js';

export * from './metrics.js';
export * from './nab-score.js';
export * from './threshold.js';
export * from './detector.js';
export * from './likelihood.js';
export { RepresentationDiffScorer, RepresentationKnnScorer, causalWindows, channelStats, type RepresentationScorerOptions, type RepresentationKnnScorerOptions } from './representation.js';
export { ReconstructionScorer, isReconstructor, type MaskedReconstructor, type ReconstructionScorerOptions } from './reconstruction.js';
export { RollingZScoreScorer, RandomScorer, type ZScoreOptions } from './statistical.js';
export { KnnScorer, cholesky, invertLowerTriangular, type KnnScorerOptions } from './knn.js';
export { MultiScaleKnnScorer, DEFAULT_KNN_SCALES, DEFAULT_SCALE_INTERVAL_MS, MIN_SHORT_WINDOW, knnScalesForInterval, medianInterval } from './knn-multiscale.js';
export { SpatialRangeRule } from './spatial.js';

export const DETECTOR_METHODS = ['ts2vec', 'ts2vec-knn', 'masked', 'zscore', 'knn', 'knn-multiscale', 'random'] as const;
export type DetectorMethod = (typeof DETECTOR_METHODS)[number];

export interface CreateDetectorOptions extends DetectorOptions {
  /** representation / masked model: hyper-parameters for createModel */
  modelOptions?: Record<string, unknown>;
  /** a trained model to use instead of training one per series */
  model?: RepresentationModel;
  /** causal context of each score (ts2vec: 200, masked: 63) */
  padding?: number;
  batchSize?: number;
  zscore?: ZScoreOptions;
  /** knn scorer options (window, block, k, reference, lag, metric) */
  knn?: KnnScorerOptions;
  /** knn-multiscale: one knn option set per scale (default DEFAULT_KNN_SCALES) */
  knnScales?: KnnScorerOptions[];
  seed?: number;
}

/**
 * A detector by name. 'ts2vec': TS2Vec's masked-vs-unmasked representation difference with
 * MA(21) adjustment; 'masked': reconstruction error of the masked-segment model; 'zscore': rolling
 * z-score (no MA adjustment); 'knn': KNN-CAD-style sum of the k smallest squared Euclidean
 * (optionally Mahalanobis) distances of the current window to a bounded set of past windows (no MA adjustment); 'knn-multiscale': knn
 * at several time scales (default: 30 raw steps and 48 six-step means), each scale standardised
 * on its own and the largest flagged, or their Fisher combination with `combine: 'fisher'` (no MA adjustment); 'ts2vec-knn': the same
 * non-conformity between TS2Vec representations of causal windows (no MA adjustment); 'random': NAB's random reference.
 */
export function createDetector(method: string, o: CreateDetectorOptions = {}): AnomalyDetector {
  switch (method) {
    case 'ts2vec':
      return new AnomalyDetector(new RepresentationDiffScorer({ method: 'ts2vec', modelOptions: o.modelOptions, model: o.model, padding: o.padding, batchSize: o.batchSize }), o);
    case 'ts2vec-knn':
      for (const key of ['window', 'metric'] as const) {
        if (o.knn?.[key] !== undefined) throw new TsreprError('BAD_OPTION', `ts2vec-knn takes knn.k, knn.reference and knn.lag; knn.${key} applies to 'knn' only (its window is the representation's causal window, set by padding)`);
      }
      return new AnomalyDetector(new RepresentationKnnScorer({
        method: 'ts2vec', modelOptions: o.modelOptions, model: o.model, padding: o.padding, batchSize: o.batchSize, k: o.knn?.k, reference: o.knn?.reference, lag: o.knn?.lag,
      }), { maWindow: 0, ...o });
    case 'masked':
      return new AnomalyDetector(new ReconstructionScorer({ method: 'masked', modelOptions: o.modelOptions, model: o.model, padding: o.padding, batchSize: o.batchSize }), o);
    case 'zscore':
      return new AnomalyDetector(new RollingZScoreScorer(o.zscore), { maWindow: 0, ...o });
    case 'knn':
      if (o.knnScales !== undefined) throw new TsreprError('BAD_OPTION', "knnScales applies to 'knn-multiscale'; 'knn' takes one option set, knn");
      return new AnomalyDetector(new KnnScorer(o.knn), { maWindow: 0, ...o });
    case 'knn-multiscale':
      if (o.knn !== undefined) throw new TsreprError('BAD_OPTION', "knn-multiscale takes its scales as knnScales (a list of knn option sets), not knn");
      return new AnomalyDetector(new MultiScaleKnnScorer(o.knnScales), { maWindow: 0, ...o });
    case 'random':
      return new AnomalyDetector(new RandomScorer(o.seed ?? 0), { maWindow: 0, ...o });
    default:
      throw new TsreprError('BAD_OPTION', `unknown anomaly detector '${method}' (known: ${DETECTOR_METHODS.join(', ')})`);
  }
}
