import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetchDataset, listDatasets, loadDataset, resolveDataset } from '../../src/data/index.js';
import { FIXTURES, HAVE_RAW, RAW, rejectsWith, tmpDir } from './helpers.js';

const noData = () => ({ dataDir: tmpDir(), cacheDir: tmpDir() });

test('bundled datasets are listed and load by name', async () => {
  const list = listDatasets(noData());
  const bundled = list.filter((d) => d.location === 'bundled').map((d) => d.name).sort();
  assert.deepEqual(bundled, ['BasicMotions', 'BeijingAirQuality/Dongsi', 'ETTh1', 'GunPoint', 'ItalyPowerDemand', 'NAB/nyc_taxi', 'physionet2012']);
  assert.ok(list.some((d) => d.name === 'ETTm2' && d.location === 'remote' && d.url!.includes('ETDataset')));
  const gp = await loadDataset('gunpoint', noData());
  assert.equal(gp.task, 'classification');
  if (gp.task === 'classification') assert.equal(gp.train.n, 50);
  const nab = await loadDataset('nyc_taxi', noData());
  assert.ok(nab.task === 'anomaly' && nab.data.windows.length === 5);
});

test('missing dataset → IO naming where it looked and where to get it', async () => {
  const opts = noData();
  const err = await rejectsWith(async () => resolveDataset('ETTm2', opts), 'IO');
  assert.ok(err.message.includes(opts.dataDir) && err.message.includes(opts.cacheDir), err.message);
  assert.match(err.message, /raw\.githubusercontent\.com\/zhouhaoyi\/ETDataset/);
  const phys = await rejectsWith(async () => resolveDataset('NoSuchThing/x', opts), 'IO');
  assert.match(phys.message, /TSREPR_DATA/);
});

test('fetchDataset downloads a UCR zip into the cache (injected fetch) and loads it', async () => {
  const opts = noData();
  const zip = readFileSync(join(FIXTURES, 'Tiny.zip'));
  const urls: string[] = [];
  const info = await fetchDataset('Tiny', { ...opts, fetch: async (u) => { urls.push(String(u)); return new Response(zip); } });
  assert.deepEqual(urls, ['https://www.timeseriesclassification.com/aeon-toolkit/Tiny.zip']);
  assert.equal(info.location, 'cache');
  const loaded = await loadDataset('Tiny', opts);
  assert.ok(loaded.task === 'classification' && loaded.train.n === 2 && loaded.test.labels![0] === 1);
});

test('fetchDataset offline → IO naming the URL', async () => {
  const err = await rejectsWith(
    () => fetchDataset('ETTm1', { ...noData(), fetch: async () => { throw new TypeError('fetch failed'); } }), 'IO',
  );
  assert.match(err.message, /https:\/\/raw\.githubusercontent\.com\/zhouhaoyi\/ETDataset\/main\/ETT-small\/ETTm1\.csv/);
  assert.match(err.message, /offline/);
});

test('data-dir lookup in the datasets-raw layout', async (t) => {
  if (!HAVE_RAW) { t.skip(`raw archive not present at ${RAW}`); return; }
  const opts = { dataDir: RAW, cacheDir: tmpDir() };
  assert.equal(resolveDataset('ETTh2', opts).location, 'data-dir');
  assert.equal(resolveDataset('EyesOpenShut', opts).files!.train!.endsWith('.arff.gz'), true);
  const nab = resolveDataset('NAB/art_daily_jumpsup', opts);
  assert.ok(nab.files!.labels!.endsWith('combined_windows.json.gz'));
  assert.equal(resolveDataset('Tecator', opts).task, 'regression');
  const listed = listDatasets(opts).filter((d) => d.location === 'data-dir');
  assert.ok(listed.length > 100, `listed ${listed.length}`);
});
