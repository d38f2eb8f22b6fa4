/**
 * Leave-one-out temporal context for the generator's output head (the role BRITS' time-decay
 * and history regression play): for every entry (b, t, c), the linear interpolation between
 * the nearest observed step before t and the nearest observed step after t (never x_t itself,
 * so that reconstructing observed entries stays a prediction task), and the two gaps.
 */

/**
 * `x`, `m`: `[B, T, C]` flat (normalised values, 0 where missing; mask 1/0).
 * Returns `[B, T, 3C]` flat: interpolation ‖ gap to previous observation / T ‖ gap to next / T
 * (a gap is 1 when there is no observation on that side; the interpolation is 0 — the mean —
 * when there is none on either side).
 */
export function temporalContext(x: Float32Array, m: ArrayLike<number>, B: number, T: number, C: number): Float32Array {
  const out = new Float32Array(B * T * 3 * C);
  const prevIdx = new Int32Array(T), nextIdx = new Int32Array(T);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      const at = (t: number) => (b * T + t) * C + c;
      let p = -1;
      for (let t = 0; t < T; t++) { prevIdx[t] = p; if (m[at(t)]) p = t; }
      let q = -1;
      for (let t = T - 1; t >= 0; t--) { nextIdx[t] = q; if (m[at(t)]) q = t; }
      for (let t = 0; t < T; t++) {
        const pi = prevIdx[t]!, ni = nextIdx[t]!;
        let v = 0;
        if (pi >= 0 && ni >= 0) { const a = x[at(pi)]!, z = x[at(ni)]!; v = a + ((z - a) * (t - pi)) / (ni - pi); }
        else if (pi >= 0) v = x[at(pi)]!;
        else if (ni >= 0) v = x[at(ni)]!;
        const o = (b * T + t) * 3 * C;
        out[o + c] = v;
        out[o + C + c] = pi >= 0 ? (t - pi) / T : 1;
        out[o + 2 * C + c] = ni >= 0 ? (ni - t) / T : 1;
      }
    }
  }
  return out;
}
