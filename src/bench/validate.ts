/** Checks a suite's declared cells without running them: the config validation of every suite. */
import { TsreprError } from '../errors.js';
import { cellId } from './store.js';
import type { CellSpec, Suite } from './types.js';

/** Throws BAD_OPTION naming the first problem in the suite's declared cells; returns the cells. */
export function validateSuite(suite: Suite, cells: CellSpec[]): CellSpec[] {
  const bad = (msg: string) => { throw new TsreprError('BAD_OPTION', `suite ${suite.name}: ${msg}`); };
  if (!suite.name || !suite.description) bad('needs a name and a description');
  if (!suite.metrics.length) bad('declares no metrics');
  const metricNames = new Set(suite.metrics.map((m) => m.name));
  const ids = new Set<string>();
  for (const c of cells) {
    const id = cellId(c);
    const where = `cell ${id}`;
    if (!c.dataset || !c.method || !c.task || !c.adapter) bad(`${where}: dataset, method, task and adapter are required`);
    if (!Number.isInteger(c.seed) || c.seed < 0) bad(`${where}: seed must be a non-negative integer, got ${c.seed}`);
    if (typeof c.run !== 'function') bad(`${where}: run is not a function`);
    if (ids.has(id)) bad(`${where}: declared twice`);
    ids.add(id);
    let json: string;
    try { json = JSON.stringify(c.config); } catch (e) { bad(`${where}: config is not JSON-serialisable (${(e as Error).message})`); }
    if (JSON.stringify(JSON.parse(json!)) !== json!) bad(`${where}: config does not round-trip through JSON`);
    for (const ref of c.references ?? []) {
      if (!metricNames.has(ref.metric)) bad(`${where}: reference metric '${ref.metric}' is not one of the suite's metrics (${[...metricNames].join(', ')})`);
      if (!Number.isFinite(ref.value) || !ref.source) bad(`${where}: reference needs a finite value and a source`);
    }
  }
  return cells;
}
