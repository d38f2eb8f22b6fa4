/**
 * The spatial-anomaly rule of Numenta's HTM detector on NAB (Ahmad et al. 2017; NAB's numenta
 * detector, `spatialTolerance` 0.05): a value outside the range of every value seen so far,
 * widened by `tolerance` times that range on each side, is an anomaly whatever the model says.
 * It catches level shifts and spikes into never-seen ranges on the first step. Online, O(C)
 * state: the running minimum and maximum per channel since the start of the stream.
 */
import { checkNumber } from '../../errors.js';

export class SpatialRangeRule {
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;

  constructor(readonly tolerance: number, readonly channels = 1) {
    checkNumber('spatialTolerance', tolerance, { min: 0 });
    checkNumber('channels', channels, { min: 1, integer: true });
    this.lo = new Float64Array(channels).fill(Infinity);
    this.hi = new Float64Array(channels).fill(-Infinity);
  }

  /**
   * Takes one step's values (`[C]`, read from `values` at `offset`) and returns true when any
   * finite one lies outside `[min − tol·(max − min), max + tol·(max − min)]` of that channel's
   * earlier values (never while a channel has seen fewer than two distinct values); then records them.
   */
  push(values: ArrayLike<number>, offset = 0): boolean {
    let out = false;
    for (let c = 0; c < this.channels; c++) {
      const v = values[offset + c]!;
      if (!Number.isFinite(v)) continue;
      const lo = this.lo[c]!, hi = this.hi[c]!;
      if (hi > lo) {
        const r = (hi - lo) * this.tolerance;
        if (v > hi + r || v < lo - r) out = true;
      }
      if (v > hi) this.hi[c] = v;
      if (v < lo) this.lo[c] = v;
    }
    return out;
  }
}
