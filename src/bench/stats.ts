/** Summary statistics for reports: mean ± std over seeds, ranks, wins/ties/losses, Nemenyi CD. */

/** Mean and sample standard deviation (n − 1; 0 for a single value) of the finite values. */
export function meanStd(values: number[]): { mean: number; std: number; n: number } {
  const v = values.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (!n) return { mean: NaN, std: NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** Ranks (1 = best) with ties sharing their average rank. */
export function rankValues(values: number[], higherIsBetter: boolean): number[] {
  const idx = values.map((v, i) => ({ v, i })).sort((a, b) => (higherIsBetter ? b.v - a.v : a.v - b.v));
  const ranks = new Array<number>(values.length);
  for (let s = 0; s < idx.length;) {
    let e = s;
    while (e + 1 < idx.length && idx[e + 1]!.v === idx[s]!.v) e++;
    const r = (s + e) / 2 + 1;
    for (let k = s; k <= e; k++) ranks[idx[k]!.i] = r;
    s = e + 1;
  }
  return ranks;
}

/**
 * Average rank of each method over the datasets where every method has a value.
 * `table[dataset][method]` is a score; returns ranks by method and the datasets used.
 */
export function averageRanks(table: Map<string, Map<string, number>>, methods: string[], higherIsBetter: boolean): { ranks: Map<string, number>; datasets: string[] } {
  const sums = new Map(methods.map((m) => [m, 0]));
  const used: string[] = [];
  for (const [ds, row] of table) {
    const vals = methods.map((m) => row.get(m));
    if (vals.some((v) => v === undefined || !Number.isFinite(v))) continue;
    used.push(ds);
    rankValues(vals as number[], higherIsBetter).forEach((r, i) => sums.set(methods[i]!, sums.get(methods[i]!)! + r));
  }
  return { ranks: new Map(methods.map((m) => [m, used.length ? sums.get(m)! / used.length : NaN])), datasets: used };
}

/** Two-tailed Nemenyi q at α = 0.05 for k = 2..10 methods (Demšar 2006, Table 5a). */
const Q05 = [NaN, NaN, 1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164];

/** Nemenyi critical difference of average ranks at α = 0.05 for k methods over n datasets (NaN outside k = 2..10). */
export function criticalDifference(k: number, n: number): number {
  const q = Q05[k];
  if (q === undefined || !Number.isFinite(q) || n < 1) return NaN;
  return q * Math.sqrt((k * (k + 1)) / (6 * n));
}

/** Counts ours vs reference: win/tie/loss by metric direction, tie when |diff| ≤ tolerance. */
export function winTieLoss(pairs: { ours: number; ref: number }[], higherIsBetter: boolean, tolerance: number): { wins: number; ties: number; losses: number } {
  let wins = 0;
  let ties = 0;
  let losses = 0;
  for (const { ours, ref } of pairs) {
    const d = higherIsBetter ? ours - ref : ref - ours;
    if (Math.abs(d) <= tolerance + 1e-12) ties++;
    else if (d > 0) wins++;
    else losses++;
  }
  return { wins, ties, losses };
}
