/**
 * RBF-kernel SVM probe with TS2Vec's protocol (`fit_svm` in the official code, after
 * scikit-learn's `SVC(kernel='rbf', gamma='scale')`): fit directly with C = ∞ when there are
 * fewer than 5 training series per class or fewer than 50 in all, else choose C from
 * {1e-4, …, 1e4, ∞} by 5-fold stratified cross-validated accuracy (at most 10000 series)
 * and refit. libsvm (libsvm-js, asm build) solves the QP; C = ∞ is passed through to libsvm
 * as `-c Infinity` (hard margin), as scikit-learn passed `np.inf`. Decision scores follow
 * scikit-learn's `decision_function` ('ovr' shape from one-vs-one values) for AUPRC.
 */
import { createRequire } from 'node:module';
import { Rng } from '../../engine/random.js';
import { TsreprError } from '../../errors.js';
import { row, takeRows, type Classifier, type Features } from './classifier.js';

interface LibSvm {
  train(samples: Float64Array[], labels: number[]): void;
  predictOne(sample: Float64Array): number;
  serializeModel(): string;
  getSVIndices(): number[];
  free(): void;
}
interface LibSvmCtor {
  new (opts: Record<string, unknown>): LibSvm;
  KERNEL_TYPES: Record<string, string>;
  SVM_TYPES: Record<string, string>;
}
const SVM = createRequire(import.meta.url)('libsvm-js/asm') as LibSvmCtor;

/** scikit-learn's gamma='scale': 1 / (d · Var(X)) over all entries (1 when Var = 0). */
export function gammaScale(x: Features): number {
  let s = 0, s2 = 0;
  const m = x.n * x.d;
  for (let i = 0; i < m; i++) { const v = x.data[i]!; s += v; s2 += v * v; }
  const mean = s / m, variance = Math.max(s2 / m - mean * mean, 0);
  return variance > 0 ? 1 / (x.d * variance) : 1;
}

/** One RBF C-SVC fitted by libsvm with ovo decision values computed from its support vectors. */
export class RbfSvm implements Classifier {
  private svm?: LibSvm;
  private gamma = 1;
  private nClasses = 0;
  /** support vectors `[nSV, d]`, their coefficients `[K−1][nSV]`, per model class start/count */
  private sv?: Features;
  private coef: Float64Array[] = [];
  private rho: number[] = [];
  private modelLabels: number[] = [];
  private start: number[] = [];
  private count: number[] = [];

  constructor(readonly C: number) {
    if (!(C > 0)) throw new TsreprError('BAD_OPTION', `SVM C must be > 0 (or Infinity), got ${C}`);
  }

  fit(x: Features, y: Int32Array, nClasses: number): void {
    this.dispose();
    this.nClasses = nClasses;
    this.gamma = gammaScale(x);
    const svm = new SVM({
      kernel: SVM.KERNEL_TYPES.RBF, type: SVM.SVM_TYPES.C_SVC, gamma: this.gamma, cost: this.C, quiet: true, tolerance: 0.001, cacheSize: 200,
    });
    const samples = Array.from({ length: x.n }, (_, i) => row(x, i));
    svm.train(samples, Array.from(y));
    this.svm = svm;
    this.parseModel(svm, x);
  }

  private parseModel(svm: LibSvm, x: Features): void {
    const text = svm.serializeModel();
    const lines = text.split('\n');
    const field = (k: string) => lines.find((l) => l.startsWith(`${k} `))?.split(/\s+/).slice(1).map(Number) ?? [];
    this.rho = field('rho');
    this.modelLabels = field('label');
    this.count = field('nr_sv');
    this.start = [];
    let acc = 0;
    for (const c of this.count) { this.start.push(acc); acc += c; }
    const svStart = lines.indexOf('SV') + 1;
    const k1 = this.modelLabels.length - 1;
    this.coef = Array.from({ length: Math.max(k1, 0) }, () => new Float64Array(acc));
    for (let i = 0; i < acc; i++) {
      const parts = lines[svStart + i]!.trim().split(/\s+/);
      for (let m = 0; m < k1; m++) this.coef[m]![i] = Number(parts[m]);
    }
    // exact feature vectors of the support vectors (the text model rounds them)
    this.sv = takeRows(x, svm.getSVIndices());
  }

  predict(x: Features): Int32Array {
    if (!this.svm) throw new TsreprError('NOT_FITTED', 'SVM is not fitted');
    const out = new Int32Array(x.n);
    for (let i = 0; i < x.n; i++) out[i] = this.svm.predictOne(row(x, i));
    return out;
  }

  /** One-vs-one decision values for sorted class pairs (a < b): positive favours a. `[n, K(K−1)/2]` */
  private ovo(x: Features): { dec: Float64Array; pairs: number } {
    const sv = this.sv!;
    const K = this.nClasses, L = this.modelLabels.length;
    const pairs = (K * (K - 1)) / 2;
    const dec = new Float64Array(x.n * pairs);
    const kv = new Float64Array(sv.n);
    const posOf = new Map(this.modelLabels.map((l, i) => [l, i]));
    for (let s = 0; s < x.n; s++) {
      const xs = x.data.subarray(s * x.d, (s + 1) * x.d);
      for (let v = 0; v < sv.n; v++) {
        let d2 = 0;
        const base = v * sv.d;
        for (let j = 0; j < x.d; j++) { const t = xs[j]! - sv.data[base + j]!; d2 += t * t; }
        kv[v] = Math.exp(-this.gamma * d2);
      }
      // model-order pair values
      const modelDec = new Float64Array((L * (L - 1)) / 2);
      let p = 0;
      for (let i = 0; i < L; i++) {
        for (let j = i + 1; j < L; j++) {
          let sum = 0;
          for (let k = 0; k < this.count[i]!; k++) sum += this.coef[j - 1]![this.start[i]! + k]! * kv[this.start[i]! + k]!;
          for (let k = 0; k < this.count[j]!; k++) sum += this.coef[i]![this.start[j]! + k]! * kv[this.start[j]! + k]!;
          modelDec[p] = sum - this.rho[p]!;
          p++;
        }
      }
      const pairIndex = (i: number, j: number) => i * L - (i * (i + 1)) / 2 + (j - i - 1);
      let q = 0;
      for (let a = 0; a < K; a++) {
        for (let b = a + 1; b < K; b++) {
          const ia = posOf.get(a), ib = posOf.get(b);
          let v = 0;
          if (ia !== undefined && ib !== undefined) v = ia < ib ? modelDec[pairIndex(ia, ib)]! : -modelDec[pairIndex(ib, ia)]!;
          dec[s * pairs + q++] = v;
        }
      }
    }
    return { dec, pairs };
  }

  /** scikit-learn's `decision_function`: `[n]` for 2 classes (score of class 1), else 'ovr' `[n, K]`. */
  scores(x: Features): Float64Array {
    if (!this.svm) throw new TsreprError('NOT_FITTED', 'SVM is not fitted');
    const K = this.nClasses;
    const { dec, pairs } = this.ovo(x);
    if (K === 2) return Float64Array.from({ length: x.n }, (_, s) => -dec[s]!);
    const out = new Float64Array(x.n * K);
    for (let s = 0; s < x.n; s++) {
      const votes = new Float64Array(K), conf = new Float64Array(K);
      let q = 0;
      for (let a = 0; a < K; a++) {
        for (let b = a + 1; b < K; b++) {
          const v = dec[s * pairs + q++]!;
          conf[a] = conf[a]! + v; conf[b] = conf[b]! - v;
          if (v >= 0) votes[a] = votes[a]! + 1; else votes[b] = votes[b]! + 1;
        }
      }
      for (let k = 0; k < K; k++) out[s * K + k] = votes[k]! + conf[k]! / (3 * (Math.abs(conf[k]!) + 1));
    }
    return out;
  }

  describe(): Record<string, unknown> {
    return { classifier: 'svm-rbf', C: this.C, gamma: this.gamma, supportVectors: this.sv?.n ?? 0 };
  }

  dispose(): void {
    this.svm?.free();
    this.svm = undefined;
  }
}

/**
 * scikit-learn's `StratifiedKFold(k)` without shuffling: test-fold index per sample. Classes
 * are taken in order of first appearance; each class's samples are dealt to folds in blocks
 * so that fold sizes per class differ by at most one.
 */
export function stratifiedFolds(y: ArrayLike<number>, k: number): Int32Array {
  const n = y.length;
  const firstSeen = new Map<number, number>();
  for (let i = 0; i < n; i++) if (!firstSeen.has(y[i]!)) firstSeen.set(y[i]!, firstSeen.size);
  const enc = Int32Array.from({ length: n }, (_, i) => firstSeen.get(y[i]!)!);
  const nc = firstSeen.size;
  const sorted = Array.from(enc).sort((a, b) => a - b);
  const allocation = Array.from({ length: k }, () => new Int32Array(nc));
  for (let f = 0; f < k; f++) for (let i = f; i < n; i += k) allocation[f]![sorted[i]!]!++;
  const folds = new Int32Array(n);
  for (let c = 0; c < nc; c++) {
    const list: number[] = [];
    for (let f = 0; f < k; f++) for (let r = 0; r < allocation[f]![c]!; r++) list.push(f);
    let j = 0;
    for (let i = 0; i < n; i++) if (enc[i] === c) folds[i] = list[j++]!;
  }
  return folds;
}

export const SVM_C_GRID = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000, 10000, Infinity];

/** TS2Vec's SVM protocol; returns the fitted classifier and the CV scores per C when a grid ran. */
export function fitSvmProtocol(x: Features, y: Int32Array, nClasses: number, seed = 0): { clf: RbfSvm; cv?: { C: number; accuracy: number }[] } {
  const counts = new Map<number, number>();
  for (const l of y) counts.set(l, (counts.get(l) ?? 0) + 1);
  const nUnique = counts.size;
  if (Math.floor(x.n / nUnique) < 5 || x.n < 50) {
    const clf = new RbfSvm(Infinity);
    clf.fit(x, y, nClasses);
    return { clf };
  }
  let xs = x, ys = y;
  if (x.n > 10000) {
    // stratified subsample of 10000 series
    const rng = new Rng(seed);
    const idx = Array.from(rng.permutation(x.n)).sort((a, b) => y[a]! - y[b]!);
    const take = idx.filter((_, i) => i % Math.ceil(x.n / 10000) === 0).slice(0, 10000);
    xs = takeRows(x, take); ys = Int32Array.from(take, (i) => y[i]!);
  }
  const folds = stratifiedFolds(ys, 5);
  const cv: { C: number; accuracy: number }[] = [];
  for (const C of SVM_C_GRID) {
    let acc = 0;
    for (let f = 0; f < 5; f++) {
      const tr: number[] = [], te: number[] = [];
      for (let i = 0; i < ys.length; i++) (folds[i] === f ? te : tr).push(i);
      const clf = new RbfSvm(C);
      clf.fit(takeRows(xs, tr), Int32Array.from(tr, (i) => ys[i]!), nClasses);
      const pred = clf.predict(takeRows(xs, te));
      clf.dispose();
      let ok = 0;
      te.forEach((i, k) => { if (pred[k] === ys[i]) ok++; });
      acc += ok / te.length / 5;
    }
    cv.push({ C, accuracy: acc });
  }
  let best = cv[0]!;
  for (const c of cv) if (c.accuracy > best.accuracy + 1e-12) best = c;
  const clf = new RbfSvm(best.C);
  clf.fit(xs, ys, nClasses);
  return { clf, cv };
}
