/**
 * Every cell of the other suites that has a published reference number (full budgets): the
 * table a paper comparison is made from. Quick: the quick cells that have one.
 */
import type { CellSpec, Suite } from '../../src/bench/types.js';
import ett from './ett.js';
import imputation from './imputation.js';
import nab from './nab.js';
import ucr from './ucr.js';
import uea from './uea.js';

const SOURCES = [ucr, uea, ett, nab, imputation];

const suite: Suite = {
  name: 'paper',
  description: 'Every cell with a published reference: ours vs published across classification, forecasting, anomaly and imputation.',
  metrics: [...new Map(SOURCES.flatMap((s) => s.metrics).map((m) => [m.name, m])).values()],
  cells: (opts) => {
    const seen = new Set<string>();
    const out: CellSpec[] = [];
    for (const s of SOURCES) {
      for (const c of s.cells(opts)) {
        const key = `${c.dataset}|${c.method}|${c.seed}`;
        if (!c.references?.length || seen.has(key)) continue;
        seen.add(key);
        out.push(c);
      }
    }
    return out;
  },
};
export default suite;
