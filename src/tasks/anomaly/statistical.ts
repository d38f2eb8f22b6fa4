/**
 * Statistical reference scorers that need no model: a rolling z-score (of the values, of their
 * first differences, or the larger of the two) as a simple, strong baseline, and NAB's random
 * detector (uniform scores) as the chance reference.
 */
import { Rng } from '../../engine/random.js';
import { checkNumber, checkOption } from '../../errors.js';
import { seriesLength, type RawScorer, type Series } from './detector.js';

export interface ZScoreOptions {
  /** number of past points (or past differences) the mean and std are taken over */
  window?: number;
  /** 'value': z of x_t; 'diff': z of x_t − x_{t−1}; 'both': the larger of the two */
  on?: 'value' | 'diff' | 'both';
}

/**
 * Raw error at t = max over channels of |v_t − mean(v_{t−w..t−1})| / std(v_{t−w..t−1}), where v is the
 * value or its first difference; NaN until at least 2 finite past values exist. Causal, context w+1.
 */
export class RollingZScoreScorer implements RawScorer {
  readonly name = 'zscore';
  readonly window: number;
  readonly on: 'value' | 'diff' | 'both';
  constructor(opts: ZScoreOptions = {}) {
    this.window = checkNumber('window', opts.window ?? 64, { min: 2, integer: true });
    this.on = opts.on ?? 'both';
    checkOption(['value', 'diff', 'both'].includes(this.on), `zscore 'on' must be value, diff or both, got '${String(this.on)}'`);
  }

  get context(): number {
    return this.window + 1;
  }

  async fit(): Promise<void> {
    // nothing to learn: the statistics are rolling
  }

  async scoreRange(s: Series, start: number): Promise<Float32Array> {
    const T = seriesLength(s), C = s.channels, w = this.window;
    const out = new Float32Array(Math.max(0, T - start)).fill(NaN);
    const val = (t: number, c: number) => (t >= 0 ? s.values[t * C + c]! : NaN);
    const diff = (t: number, c: number) => val(t, c) - val(t - 1, c);
    const parts = this.on === 'both' ? [val, diff] : this.on === 'value' ? [val] : [diff];
    for (let t = start; t < T; t++) {
      let best = NaN;
      for (let c = 0; c < C; c++) {
        for (const f of parts) {
          const x = f(t, c);
          if (!Number.isFinite(x)) continue;
          let n = 0, sum = 0, sum2 = 0;
          for (let u = t - w; u < t; u++) {
            const v = f(u, c);
            if (Number.isFinite(v)) { n++; sum += v; sum2 += v * v; }
          }
          if (n < 2) continue;
          const mean = sum / n;
          const std = Math.sqrt(Math.max(0, sum2 / n - mean * mean));
          const z = Math.abs(x - mean) / Math.max(std, 1e-6 * (Math.abs(mean) + 1));
          if (!(z <= best)) best = z;
        }
      }
      out[t - start] = best;
    }
    return out;
  }
}

/** NAB's random detector: a uniform random score per point (seeded; consumed in time order). */
export class RandomScorer implements RawScorer {
  readonly name = 'random';
  readonly context = 0;
  private rng: Rng;
  constructor(readonly seed = 0) {
    this.rng = new Rng(seed);
  }

  async fit(): Promise<void> {
    this.rng = new Rng(this.seed);
  }

  async scoreRange(s: Series, start: number): Promise<Float32Array> {
    return this.rng.uniformArray(Math.max(0, seriesLength(s) - start));
  }
}
