import { extname } from 'node:path';
import { TsreprError } from '../errors.js';
import type { TimeSeriesDataset } from './dataset.js';
import { loadArff } from './arff.js';
import { sortLabels } from './parse.js';
import { loadUcrTs, loadUcrTsv } from './ucr.js';

/** A fixed train/test split of a labelled archive dataset with a shared class index. */
export interface ClassificationPair {
  train: TimeSeriesDataset;
  test: TimeSeriesDataset;
  /** class names; label k of both sets means `classNames[k]` */
  classNames: string[];
}

/** Picks the loader by extension (`.ts`, `.tsv`, `.txt`, `.arff`, optionally `.gz`). */
export function loadLabelledFile(path: string): Promise<TimeSeriesDataset> {
  const ext = extname(path.replace(/\.gz$/, '')).toLowerCase();
  if (ext === '.ts') return loadUcrTs(path);
  if (ext === '.tsv' || ext === '.txt') return loadUcrTsv(path);
  if (ext === '.arff') return loadArff(path);
  throw new TsreprError('BAD_INPUT', `unknown classification file type ${JSON.stringify(ext)} (expected .ts, .tsv, .txt or .arff)`, { file: path });
}

/** Raw label text of every series. */
function rawLabels(ds: TimeSeriesDataset, file: string): string[] {
  if (!ds.labels) throw new TsreprError('MISSING_LABELS', 'file has no labels', { file });
  if (!ds.classNames) throw new TsreprError('BAD_INPUT', 'file has regression targets, not class labels', { file });
  return Array.from(ds.labels, (k) => ds.classNames![k]!);
}

/** Returns a copy of `ds` whose labels index `classNames` (every label must be in it). */
export function relabel(ds: TimeSeriesDataset, classNames: string[], file = ds.source ?? 'dataset'): TimeSeriesDataset {
  const index = new Map(classNames.map((c, k) => [c, k]));
  const raw = rawLabels(ds, file);
  const labels = new Int32Array(raw.length);
  raw.forEach((l, s) => {
    const k = index.get(l);
    if (k === undefined) {
      throw new TsreprError('BAD_INPUT', `series ${s} has class label ${JSON.stringify(l)}, which the training set does not have (train classes: ${classNames.join(', ')})`, { file });
    }
    labels[s] = k;
  });
  return { ...ds, labels, classNames };
}

/**
 * Loads a train/test pair and maps labels to 0..K-1 in the sorted order of the TRAIN labels
 * (numeric order when all are numbers, as numpy.unique). Throws BAD_INPUT when the test set
 * has a label the training set lacks, or when the channel counts differ. Both sets keep their
 * own padded length.
 */
export async function loadClassificationPair(trainPath: string, testPath: string): Promise<ClassificationPair> {
  const [train, test] = await Promise.all([loadLabelledFile(trainPath), loadLabelledFile(testPath)]);
  if (train.channels !== test.channels) {
    throw new TsreprError('BAD_INPUT', `test has ${test.channels} channels but train has ${train.channels}`, { file: testPath });
  }
  const classNames = sortLabels(rawLabels(train, trainPath));
  return { train: relabel(train, classNames, trainPath), test: relabel(test, classNames, testPath), classNames };
}
