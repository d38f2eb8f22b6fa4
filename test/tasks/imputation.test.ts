import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as aq from 'arquero';
import * as arrow from 'apache-arrow';
import { fromArrays } from '../../src/data/dataset.js';
import { TsreprError } from '../../src/errors.js';
import { createImputer, loadImputer } from '../../src/tasks/imputation/imputers.js';
import { hideObserved, scoreImputation } from '../../src/tasks/imputation/evaluate.js';
import { impute, imputeArrowFile } from '../../src/tasks/imputation/api.js';
import { evaluateImputation } from '../../src/tasks/imputation/protocol.js';
import { loadPhysionet2012 } from '../../src/data/physionet.js';
import { setUpBackend } from '../helpers.js';

before(setUpBackend);

const FAST_SSGAN = { iterations: 3, batchSize: 4, window: 8, hiddenSize: 4, discHiddenSize: 4, clsHiddenSize: 4 };

/** 2 channels, 3 series of 10 steps, with gaps at the start, middle and end. */
function gappy() {
  const s = (k: number) => Array.from({ length: 10 }, (_, t) => [t === 0 || t === 4 || t === 5 || t === 9 ? NaN : t + k, t % 3 === 1 ? NaN : 2 * t - k]);
  return fromArrays([s(0), s(1), s(2)]);
}

describe('imputers', () => {
  for (const method of ['mean', 'locf', 'linear', 'ssgan']) {
    it(`${method}: never changes observed entries and fills every missing one`, async () => {
      const ds = gappy();
      const imp = createImputer(method, FAST_SSGAN);
      await imp.fit(ds);
      const { values, imputedMask } = await imp.impute(ds);
      for (let i = 0; i < ds.values.length; i++) {
        if (ds.mask[i]) { assert.equal(values[i], ds.values[i]); assert.equal(imputedMask[i], 0); } else {
          assert.ok(Number.isFinite(values[i]!), `entry ${i} filled`);
          assert.equal(imputedMask[i], 1);
        }
      }
      imp.dispose();
    });
  }

  it('LOCF carries forward and back-fills the start; linear interpolates', async () => {
    const ds = fromArrays([[NaN, 1, NaN, NaN, 4, NaN]]);
    const locf = await createImputer('locf').impute(ds);
    assert.deepEqual(Array.from(locf.values), [1, 1, 1, 1, 4, 4]);
    const lin = await createImputer('linear').impute(ds);
    assert.deepEqual(Array.from(lin.values), [1, 1, 2, 3, 4, 4]);
    const mean = createImputer('mean');
    await mean.fit(ds);
    assert.deepEqual(Array.from((await mean.impute(ds)).values), [2.5, 1, 2.5, 2.5, 4, 2.5]);
  });

  it('leaves padding of short series alone', async () => {
    const ds = fromArrays([[1, NaN, 3], [5, NaN]]);
    const r = await createImputer('linear').impute(ds);
    assert.deepEqual(Array.from(r.values.subarray(0, 5)), [1, 2, 3, 5, 5]);
    assert.ok(Number.isNaN(r.values[5]!));
    assert.equal(r.imputedMask[5], 0);
  });

  it('a saved baseline imputer reloads with its statistics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imp-'));
    try {
      const imp = createImputer('mean');
      await imp.fit(fromArrays([[1, 3], [NaN, 5]]));
      await imp.save(join(dir, 'm'));
      const back = await loadImputer(join(dir, 'm'));
      const r = await back.impute(fromArrays([[NaN, 0]]));
      assert.equal(r.values[0], 3);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('representation imputer encodes long series in windows and stitches them in time order', async () => {
    // channel 0: seeded noise with gaps (interpolation cannot recover it); channel 1: the step's
    // id (s·1000 + t), always observed. The stand-in model is an oracle: its representation of a
    // step is the true channel-0 value of the step whose id it reads, so a window encoded or
    // stitched back at the wrong place would change the imputation.
    const T = 150, n = 2;
    const truth = new Map<number, number>();
    let x = 1;
    const noise = () => { x = (x * 48271) % 2147483647; return x / 2147483647 - 0.5; };
    const rows = Array.from({ length: n }, (_, s) => Array.from({ length: T }, (_, t) => {
      const v = noise(); truth.set(s * 1000 + t, v);
      return [t % 5 === 2 ? NaN : v, s * 1000 + t];
    }));
    const ds = fromArrays(rows);
    const ids = rows.flat().map((r) => r[1]!);
    const m = ids.reduce((a, b) => a + b, 0) / ids.length, sd = Math.sqrt(ids.reduce((a, b) => a + (b - m) ** 2, 0) / ids.length);
    const run = async (window: number) => {
      const seen: number[] = [];
      const model = {
        method: 'oracle', reprDims: 1,
        async encode(v: typeof ds) {
          seen.push(v.length);
          const data = new Float32Array(v.n * v.length);
          for (let i = 0; i < data.length; i++) {
            const z = v.values[i * 2 + 1]!;
            data[i] = Number.isFinite(z) ? truth.get(Math.round(z * sd + m)) ?? 0 : 0;
          }
          return { data, shape: [v.n, v.length, 1] };
        },
        dispose() {},
      };
      const imp = createImputer('representation', { model: model as never, window, rounds: 1 });
      await imp.fit(ds);
      const { values } = await imp.impute(ds);
      imp.dispose();
      return { values, seen };
    };
    const windowed = await run(64), whole = await run(1000);
    assert.ok(windowed.seen.every((L) => L === 64), `windowed encode lengths ${windowed.seen.join(',')}`);
    assert.ok(whole.seen.every((L) => L === T), `whole-series encode lengths ${whole.seen.join(',')}`);
    assert.deepEqual(Array.from(windowed.values), Array.from(whole.values));
    let err = 0, interpErr = 0, cnt = 0;
    for (let s = 0; s < n; s++) for (let t = 2; t < T - 1; t += 5) {
      const v = truth.get(s * 1000 + t)!;
      err += Math.abs(windowed.values[(s * T + t) * 2]! - v);
      interpErr += Math.abs((truth.get(s * 1000 + t - 1)! + truth.get(s * 1000 + t + 1)!) / 2 - v);
      cnt++;
    }
    assert.ok(err / cnt < 0.25 * (interpErr / cnt), `MAE ${err / cnt} vs linear interpolation ${interpErr / cnt}`);
  });

  it('unknown method is a BAD_OPTION naming the choices', () => {
    assert.throws(() => createImputer('knn'), (e: TsreprError) => e.code === 'BAD_OPTION' && /linear/.test(e.message));
  });
});

describe('evaluation', () => {
  it('hides exactly the requested fraction of observed entries, seeded', () => {
    const ds = gappy();
    const nObs = ds.mask.reduce((s, v) => s + v, 0);
    const a = hideObserved(ds, 0.2, 7), b = hideObserved(ds, 0.2, 7);
    assert.equal(a.indices.length, Math.round(0.2 * nObs));
    assert.deepEqual(Array.from(a.indices), Array.from(b.indices));
    for (const i of a.indices) { assert.equal(ds.mask[i], 1); assert.equal(a.ds.mask[i], 0); }
  });

  it('channels left with fewer than 2 observed values are excluded from the scores, for every method alike', () => {
    // channel 0: 4 observed; channel 1: 2 observed (hiding one leaves 1)
    const ds = fromArrays([[[1, 10], [2, NaN], [3, 30], [4, NaN]]]);
    for (let seed = 0; seed < 20; seed++) {
      const h = hideObserved(ds, 0.5, seed);
      const left = [0, 1].map((c) => [0, 1, 2, 3].filter((t) => h.ds.mask[t * 2 + c]).length);
      assert.deepEqual(Array.from(h.scorable), left.map((k) => (k >= 2 ? 1 : 0)));
      const s = scoreImputation(new Float32Array(8).fill(0), h, 2);
      assert.equal(s.excluded, Array.from(h.indices).filter((i) => !h.scorable[i % 2]).length);
      if (!h.scorable[1]) assert.ok(s.excluded > 0);
      assert.equal(s.count + s.excluded, h.indices.length);
    }
  });

  it('MAE / RMSE / MRE on hidden entries', () => {
    const s = scoreImputation(Float32Array.from([1, 5, 0]), { indices: Int32Array.from([0, 1]), truth: Float32Array.from([2, 1]) }, 1);
    assert.equal(s.mae, 2.5);
    assert.ok(Math.abs(s.rmse - Math.sqrt(8.5)) < 1e-12);
    assert.equal(s.mre, 5 / 3);
  });
});

/** id, t (shuffled time order), a (numeric, gaps), b (numeric, gaps), s (string), d (Date). */
function rawRows() {
  const rows: { id: string; t: number; a: number | null; b: number | null; s: string; d: Date }[] = [];
  for (const id of ['x', 'y']) {
    for (const t of [3, 0, 2, 1, 4, 5]) {
      const k = id === 'x' ? 0 : 100;
      rows.push({ id, t, a: t === 2 || t === 4 ? null : k + t * 10, b: t === 0 ? null : k + t, s: `${id}${t}`, d: new Date(Date.UTC(2020, 0, 1 + t)) });
    }
  }
  return rows;
}

/** Checks an imputed table's columns: observed kept, gaps filled by linear interpolation within each id ordered by t. */
function checkFilled(get: (col: string) => ArrayLike<unknown>, imputed: Record<string, Uint8Array>) {
  const rows = rawRows();
  const a = get('a'), b = get('b'), s = get('s'), t = get('t');
  rows.forEach((r, i) => {
    assert.equal(Number(t[i]), r.t, 'row order kept');
    assert.equal(s[i], r.s, 'untouched string column kept');
    const k = r.id === 'x' ? 0 : 100;
    if (r.a !== null) { assert.equal(Number(a[i]), r.a); assert.equal(imputed.a![i], 0); } else {
      assert.equal(imputed.a![i], 1);
      assert.ok(Math.abs(Number(a[i]) - (k + r.t * 10)) < 1e-9, `a at t=${r.t} interpolated, got ${a[i]}`);
    }
    if (r.b === null) { assert.equal(Number(b[i]), k + 1, 'b back-filled at the start of its group'); }
  });
}

const OPTS = { method: 'linear' as const, groupBy: 'id', time: 't', columns: ['a', 'b'] };

describe('SSGAN on real data', () => {
  it('a short run on the bundled PhysioNet 2012 slice beats mean imputation and linear interpolation', async () => {
    const dir = new URL('../../datasets/imputation/physionet2012/', import.meta.url).pathname;
    const ds = await loadPhysionet2012(join(dir, 'set-a'), { outcomesPath: join(dir, 'Outcomes-a.txt') });
    const score = async (method: string, methodOptions?: Record<string, unknown>) =>
      (await evaluateImputation(ds, method, { missingRate: 0.1, seed: 1, methodOptions })).normalised.mae;
    const mean = await score('mean'), linear = await score('linear');
    const ssgan = await score('ssgan', { iterations: 30, batchSize: 16, hiddenSize: 16, discHiddenSize: 8, clsHiddenSize: 8, lr: 0.005 });
    // measured: mean 0.764, linear 0.397, SSGAN 0.367 (50 records × 48 h × 35, 10 % of observed hidden)
    assert.ok(ssgan < 0.6 * mean, `SSGAN MAE ${ssgan} vs mean ${mean}`);
    assert.ok(ssgan < linear, `SSGAN MAE ${ssgan} vs linear ${linear}`);
  });
});

describe('impute() API on every table kind', () => {
  it('plain records', async () => {
    const input = rawRows();
    const copy = JSON.stringify(input);
    const { table, imputed, imputedCount } = await impute(input, OPTS);
    assert.equal(JSON.stringify(input), copy, 'input not mutated');
    assert.ok(Array.isArray(table));
    assert.equal(imputedCount, 6);
    checkFilled((c) => table.map((r) => (r as Record<string, unknown>)[c]), imputed);
    assert.ok(table[0]!.d instanceof Date);
    assert.deepEqual(Object.keys(table[0]!), ['id', 't', 'a', 'b', 's', 'd']);
  });

  it('arquero table', async () => {
    const input = aq.from(rawRows());
    const { table, imputed } = await impute(input, OPTS);
    assert.ok(table instanceof aq.ColumnTable);
    assert.deepEqual(table.columnNames(), input.columnNames());
    checkFilled((c) => table.array(c) as ArrayLike<unknown>, imputed);
    assert.ok((table.array('d') as unknown[])[0] instanceof Date);
    assert.equal(input.array('a')[2], null, 'input not mutated');
  });

  it('Arrow table keeps field order and the types of untouched columns', async () => {
    const raw = rawRows();
    const input = arrow.tableFromArrays({
      id: raw.map((r) => r.id), t: Int32Array.from(raw, (r) => r.t),
      a: Float32Array.from(raw, (r) => r.a ?? NaN), b: Float64Array.from(raw, (r) => r.b ?? NaN), s: raw.map((r) => r.s),
    });
    const { table, imputed } = await impute(input, OPTS);
    assert.ok(table instanceof arrow.Table);
    assert.deepEqual(table.schema.fields.map((f) => f.name), ['id', 't', 'a', 'b', 's']);
    assert.deepEqual(table.schema.fields.map((f) => String(f.type)), input.schema.fields.map((f) => String(f.type)));
    assert.equal(table.numRows, input.numRows);
    checkFilled((c) => Array.from((table as arrow.Table).getChild(c)!), imputed);
  });

  it('column object and row matrix', async () => {
    const raw = rawRows();
    const cols = { id: raw.map((r) => r.id), t: raw.map((r) => r.t), a: Float64Array.from(raw, (r) => r.a ?? NaN), b: raw.map((r) => r.b), s: raw.map((r) => r.s) };
    const r1 = await impute(cols, OPTS);
    assert.ok(r1.table.a instanceof Float64Array);
    assert.ok(Array.isArray(r1.table.b));
    checkFilled((c) => (r1.table as Record<string, ArrayLike<unknown>>)[c]!, r1.imputed);
    const matrix = [[1, NaN], [NaN, 4], [3, 6]];
    const r2 = await impute(matrix, { method: 'linear' });
    assert.deepEqual(r2.table, [[1, 4], [2, 4], [3, 6]]);
    assert.deepEqual(Array.from(r2.imputed['0']!), [0, 1, 0]);
  });

  it('danfo-DataFrame-shaped object (its constructor rebuilds the result)', async () => {
    class FakeFrame {
      columns: string[]; values: unknown[][];
      constructor(data: unknown[][], o: { columns: string[] }) { this.values = data; this.columns = o.columns; }
    }
    const raw = rawRows();
    const df = new FakeFrame(raw.map((r) => [r.id, r.t, r.a, r.b, r.s]), { columns: ['id', 't', 'a', 'b', 's'] });
    const { table, imputed } = await impute(df, OPTS);
    assert.ok(table instanceof FakeFrame);
    assert.deepEqual(table.columns, df.columns);
    checkFilled((c) => table.values.map((row) => row[table.columns.indexOf(c)]), imputed);
  });

  it('every method keeps observed values on every kind', async () => {
    const raw = rawRows();
    for (const method of ['mean', 'locf', 'ssgan'] as const) {
      const { table } = await impute(aq.from(raw), { ...OPTS, method, methodOptions: method === 'ssgan' ? FAST_SSGAN : undefined });
      raw.forEach((r, i) => {
        if (r.a !== null) assert.equal(table.array('a')[i], r.a);
        assert.ok(Number.isFinite(table.array('a')[i] as number));
      });
    }
  });

  it('errors name the column', async () => {
    const raw = rawRows();
    await assert.rejects(impute(raw, { method: 'mean', columns: ['nope'] }), (e: TsreprError) => e.code === 'MISSING_COLUMN' && /"nope"/.test(e.message));
    await assert.rejects(impute(raw, { method: 'mean', columns: ['s'] }), (e: TsreprError) => e.code === 'NON_NUMERIC' && /"s"/.test(e.message));
    await assert.rejects(impute(raw.map((r) => ({ ...r, z: null })), { method: 'mean', columns: ['a', 'z'] }), (e: TsreprError) => e.code === 'EMPTY_INPUT' && /"z"/.test(e.message));
    await assert.rejects(impute(raw, { method: 'mean', time: 'when' }), (e: TsreprError) => e.code === 'MISSING_COLUMN' && /"when"/.test(e.message));
  });

  it('concurrent calls do not interfere', async () => {
    const tables = [0, 1, 2, 3].map((k) => [[k, NaN, k + 2], [NaN, 10 + k, 12 + k]]);
    const out = await Promise.all(tables.map((t) => impute(t, { method: 'linear' })));
    out.forEach((o, k) => assert.deepEqual(o.table, [[k, 10 + k, k + 2], [k, 10 + k, 12 + k]]));
  });
});

describe('imputeArrowFile (streaming)', () => {
  it('imputes batch by batch, keeps observed values and other columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'impstream-'));
    try {
      const n = 1000;
      const a = Float64Array.from({ length: n }, (_, i) => (i % 7 === 3 ? NaN : i));
      const batches = [0, 250, 500, 750].map((o) => new arrow.Table({
        a: arrow.vectorFromArray(Array.from(a.slice(o, o + 250)), new arrow.Float64()),
        s: arrow.vectorFromArray(Array.from({ length: 250 }, (_, i) => `r${o + i}`), new arrow.Utf8()),
      }).batches[0]!);
      const input = new arrow.Table(batches);
      const { writeFileSync, readFileSync } = await import('node:fs');
      writeFileSync(join(dir, 'in.arrow'), arrow.tableToIPC(input, 'file'));
      const res = await imputeArrowFile(join(dir, 'in.arrow'), join(dir, 'out.arrow'), { method: 'linear' });
      assert.equal(res.rows, n);
      assert.equal(res.batches, 4);
      const out = arrow.tableFromIPC(readFileSync(join(dir, 'out.arrow')));
      assert.equal(out.numRows, n);
      const oa = out.getChild('a')!.toArray() as Float64Array;
      for (let i = 0; i < n; i++) assert.equal(oa[i], i, `row ${i}`);
      assert.equal(out.getChild('s')!.get(999), 'r999');
      assert.equal(res.imputedCount, a.filter(Number.isNaN).length);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
