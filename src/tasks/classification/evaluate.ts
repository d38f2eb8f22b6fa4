/**
 * The classification adapter: encode train and test series to one vector each ('full'
 * pooling), fit a probe on the training vectors, report accuracy and AUPRC on the test set.
 * Also the archive normalisation TS2Vec's loaders apply (UCR: as stored except a list of
 * 34 sets z-normalised with global train statistics; UEA: per-channel StandardScaler on train).
 */
import type { TimeSeriesDataset } from '../../data/dataset.js';
import { applyScaler, fitScaler } from '../../data/transforms.js';
import { checkOption, TsreprError } from '../../errors.js';
import type { RepresentationModel } from '../../methods/model.js';
import type { Classifier, Features } from './classifier.js';
import { LogisticProbe } from './logistic.js';
import { accuracy, auprc } from './metrics.js';
import { fitSvmProtocol } from './svm.js';

export type ClassificationProtocol = 'svm' | 'logistic';

export interface ClassificationResult {
  protocol: ClassificationProtocol;
  accuracy: number;
  auprc: number;
  nClasses: number;
  trainSize: number;
  testSize: number;
  /** seconds spent encoding train + test, and fitting + scoring the probe */
  encodeSeconds: number;
  probeSeconds: number;
  /** the probe's fitted settings (e.g. chosen C) and CV scores when a grid ran */
  probe: Record<string, unknown>;
  predictions: Int32Array;
}

/** UCR datasets TS2Vec z-normalises (global train mean/std); every other UCR set is used as stored. */
export const UCR_NORMALISED_SETS: ReadonlySet<string> = new Set([
  'AllGestureWiimoteX', 'AllGestureWiimoteY', 'AllGestureWiimoteZ', 'BME', 'Chinatown', 'Crop', 'EOGHorizontalSignal',
  'EOGVerticalSignal', 'Fungi', 'GestureMidAirD1', 'GestureMidAirD2', 'GestureMidAirD3', 'GesturePebbleZ1',
  'GesturePebbleZ2', 'GunPointAgeSpan', 'GunPointMaleVersusFemale', 'GunPointOldVersusYoung', 'HouseTwenty',
  'InsectEPGRegularTrain', 'InsectEPGSmallTrain', 'MelbournePedestrian', 'PickupGestureWiimoteZ', 'PigAirwayPressure',
  'PigArtPressure', 'PigCVP', 'PLAID', 'PowerCons', 'Rock', 'SemgHandGenderCh2', 'SemgHandMovementCh2',
  'SemgHandSubjectCh2', 'ShakeGestureWiimoteZ', 'SmoothSubspace', 'UMD',
]);

export type ArchiveNormalisation = 'auto' | 'none' | 'global' | 'channel';

/**
 * Normalises a train/test pair as TS2Vec's loaders do. 'auto': multivariate → 'channel'
 * (UEA StandardScaler), univariate → 'global' when `name` is in UCR_NORMALISED_SETS, else 'none'.
 * Returns the scaled pair and the mode used.
 */
export function normaliseArchivePair(
  train: TimeSeriesDataset, test: TimeSeriesDataset, name: string, mode: ArchiveNormalisation = 'auto',
): { train: TimeSeriesDataset; test: TimeSeriesDataset; mode: Exclude<ArchiveNormalisation, 'auto'> } {
  checkOption(['auto', 'none', 'global', 'channel'].includes(mode), `normalisation must be auto, none, global or channel, got ${mode}`);
  const used = mode !== 'auto' ? mode : train.channels > 1 ? 'channel' : UCR_NORMALISED_SETS.has(name) ? 'global' : 'none';
  if (used === 'none') return { train, test, mode: used };
  if (used === 'channel') {
    const st = fitScaler(train, { mode: 'channel' });
    return { train: applyScaler(train, st), test: applyScaler(test, st), mode: used };
  }
  // one mean/std over every observed cell of the train set (numpy nanmean/nanstd)
  let s = 0, s2 = 0, n = 0;
  for (let i = 0; i < train.values.length; i++) if (train.mask[i]) { const v = train.values[i]!; s += v; s2 += v * v; n++; }
  const mean = s / n, std = Math.sqrt(Math.max(s2 / n - mean * mean, 0)) || 1;
  const C = train.channels;
  const st = { mode: 'channel' as const, channels: C, mean: new Float64Array(C).fill(mean), std: new Float64Array(C).fill(std) };
  return { train: applyScaler(train, st), test: applyScaler(test, st), mode: used };
}

function labelsOf(ds: TimeSeriesDataset, what: string): Int32Array {
  if (!(ds.labels instanceof Int32Array)) throw new TsreprError('MISSING_LABELS', `${what} set has no class labels`);
  return ds.labels;
}

/** Fits `protocol`'s probe on train features and scores the test features. */
export async function evaluateFeatures(
  train: Features, yTrain: Int32Array, test: Features, yTest: Int32Array, nClasses: number, protocol: ClassificationProtocol = 'svm',
): Promise<Omit<ClassificationResult, 'encodeSeconds' | 'trainSize' | 'testSize'> & { probeSeconds: number }> {
  const t0 = performance.now();
  let clf: Classifier;
  let probe: Record<string, unknown>;
  if (protocol === 'svm') {
    const r = fitSvmProtocol(train, yTrain, nClasses);
    clf = r.clf;
    probe = { ...clf.describe(), ...(r.cv ? { cv: r.cv } : { direct: true }) };
  } else if (protocol === 'logistic') {
    clf = new LogisticProbe();
    await clf.fit(train, yTrain, nClasses);
    probe = clf.describe();
  } else {
    throw new TsreprError('BAD_OPTION', `protocol must be svm or logistic, got ${String(protocol)}`);
  }
  try {
    const predictions = await clf.predict(test);
    const scores = await clf.scores(test);
    return {
      protocol, accuracy: accuracy(predictions, yTest), auprc: auprc(yTest, scores, nClasses), nClasses,
      probe, predictions, probeSeconds: (performance.now() - t0) / 1000,
    };
  } finally {
    clf.dispose();
  }
}

/**
 * Encodes both sets with `model` ('full' pooling: one vector per series) and evaluates the
 * probe. `train` and `test` must share the class index (as `loadClassificationPair` gives).
 */
export async function evaluateClassification(
  model: RepresentationModel, train: TimeSeriesDataset, test: TimeSeriesDataset,
  opts: { protocol?: ClassificationProtocol; batchSize?: number } = {},
): Promise<ClassificationResult> {
  const yTrain = labelsOf(train, 'train'), yTest = labelsOf(test, 'test');
  const nClasses = Math.max(train.classNames?.length ?? 0, ...yTrain, ...yTest) || 1;
  const t0 = performance.now();
  const rTrain = await model.encode(train, { pooling: 'full', batchSize: opts.batchSize });
  const rTest = await model.encode(test, { pooling: 'full', batchSize: opts.batchSize });
  const encodeSeconds = (performance.now() - t0) / 1000;
  const d = rTrain.shape[1]!;
  const res = await evaluateFeatures(
    { data: rTrain.data, n: train.n, d }, yTrain, { data: rTest.data, n: test.n, d }, yTest, nClasses, opts.protocol ?? 'svm',
  );
  return { ...res, encodeSeconds, trainSize: train.n, testSize: test.n };
}
