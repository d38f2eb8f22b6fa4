import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TsreprError } from '../errors.js';
import { loadBeijingAirQuality } from './airquality.js';
import { loadClassificationPair, loadLabelledFile } from './classification.js';
import type { TimeSeriesDataset } from './dataset.js';
import { loadEtt, loadForecastCsv, type ForecastDataset } from './forecast.js';
import { loadNab, type NabDataset } from './nab.js';
import { loadPhysionet2012, type Physionet2012Dataset } from './physionet.js';
import { unzip } from './zip.js';

export type DatasetTask = 'classification' | 'regression' | 'forecasting' | 'anomaly' | 'imputation';
export type DatasetLocation = 'bundled' | 'data-dir' | 'cache' | 'remote';

/** Where a named dataset is and what it is. `files` are the paths a loader needs. */
export interface DatasetInfo {
  name: string;
  task: DatasetTask;
  location: DatasetLocation;
  files?: Record<string, string>;
  url?: string;
}

export interface RegistryOptions {
  /** archive directory (layout of datasets-raw: classification/, forecasting/, anomaly/, imputation/); default `TSREPR_DATA` */
  dataDir?: string;
  /** download cache (same layout); default `TSREPR_CACHE` or `~/.cache/tsrepr` */
  cacheDir?: string;
  /** directory of bundled datasets (default: the package's `datasets/`) */
  bundledDir?: string;
  /** fetch implementation (tests, proxies); default the global fetch */
  fetch?: typeof fetch;
}

/** NAB files by category (numenta/NAB `data/`), for lookup and download. */
export const NAB_FILES: Record<string, string[]> = {
  artificialNoAnomaly: ['art_daily_no_noise', 'art_daily_perfect_square_wave', 'art_daily_small_noise', 'art_flatline', 'art_noisy'],
  artificialWithAnomaly: ['art_daily_flatmiddle', 'art_daily_jumpsdown', 'art_daily_jumpsup', 'art_daily_nojump', 'art_increase_spike_density', 'art_load_balancer_spikes'],
  realAWSCloudwatch: ['ec2_cpu_utilization_24ae8d', 'ec2_cpu_utilization_53ea38', 'ec2_cpu_utilization_5f5533', 'ec2_cpu_utilization_77c1ca', 'ec2_cpu_utilization_825cc2', 'ec2_cpu_utilization_ac20cd', 'ec2_cpu_utilization_c6585a', 'ec2_cpu_utilization_fe7f93', 'ec2_disk_write_bytes_1ef3de', 'ec2_disk_write_bytes_c0d644', 'ec2_network_in_257a54', 'ec2_network_in_5abac7', 'elb_request_count_8c0756', 'grok_asg_anomaly', 'iio_us-east-1_i-a2eb1cd9_NetworkIn', 'rds_cpu_utilization_cc0c53', 'rds_cpu_utilization_e47b3b'],
  realAdExchange: ['exchange-2_cpc_results', 'exchange-2_cpm_results', 'exchange-3_cpc_results', 'exchange-3_cpm_results', 'exchange-4_cpc_results', 'exchange-4_cpm_results'],
  realKnownCause: ['ambient_temperature_system_failure', 'cpu_utilization_asg_misconfiguration', 'ec2_request_latency_system_failure', 'machine_temperature_system_failure', 'nyc_taxi', 'rogue_agent_key_hold', 'rogue_agent_key_updown'],
  realTraffic: ['TravelTime_387', 'TravelTime_451', 'occupancy_6005', 'occupancy_t4013', 'speed_6005', 'speed_7578', 'speed_t4013'],
  realTweets: ['Twitter_volume_AAPL', 'Twitter_volume_AMZN', 'Twitter_volume_CRM', 'Twitter_volume_CVS', 'Twitter_volume_FB', 'Twitter_volume_GOOG', 'Twitter_volume_IBM', 'Twitter_volume_KO', 'Twitter_volume_PFE', 'Twitter_volume_UPS'],
};

const ETT = ['ETTh1', 'ETTh2', 'ETTm1', 'ETTm2'];
const ETT_URL = (n: string) => `https://raw.githubusercontent.com/zhouhaoyi/ETDataset/main/ETT-small/${n}.csv`;
const NAB_URL = 'https://raw.githubusercontent.com/numenta/NAB/master';
const UCR_URL = (n: string) => `https://www.timeseriesclassification.com/aeon-toolkit/${n}.zip`;
const MANUAL: Record<string, string> = {
  physionet2012: 'https://physionet.org/content/challenge-2012/1.0.0/ (set-a/ and Outcomes-a.txt into <dir>/imputation/physionet2012/)',
  beijingairquality: 'https://archive.ics.uci.edu/dataset/501 (PRSA_Data_<Station>_20130301-20170228.csv into <dir>/imputation/beijing_multisite_air_quality/)',
};

/** The package's bundled `datasets/` directory (found by walking up from this module). */
export function bundledDatasetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 5; k++) {
    const cand = join(dir, 'datasets');
    if (existsSync(join(cand, 'SOURCES.md'))) return cand;
    dir = dirname(dir);
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../datasets');
}

function roots(opts: RegistryOptions): [DatasetLocation, string][] {
  const out: [DatasetLocation, string][] = [['bundled', opts.bundledDir ?? bundledDatasetsDir()]];
  const dataDir = opts.dataDir ?? process.env.TSREPR_DATA;
  if (dataDir) out.push(['data-dir', dataDir]);
  out.push(['cache', cacheDir(opts)]);
  return out;
}

/** The download cache directory: option, `TSREPR_CACHE`, or `~/.cache/tsrepr`. */
export function cacheDir(opts: RegistryOptions = {}): string {
  return opts.cacheDir ?? process.env.TSREPR_CACHE ?? join(homedir(), '.cache', 'tsrepr');
}

/** First existing path among `base` + each suffix ('' and '.gz'). */
function firstFile(base: string): string | undefined {
  for (const p of [base, base + '.gz']) if (existsSync(p) && statSync(p).isFile()) return p;
  return undefined;
}

function listDir(dir: string): string[] {
  try { return readdirSync(dir); } catch { return []; }
}

/** Finds `name` under one root; undefined when absent. */
function findIn(root: string, name: string): Omit<DatasetInfo, 'location'> | undefined {
  const low = name.toLowerCase();
  // classification / regression archives: <task>/<Name>/<Name>_{TRAIN,TEST}.{ts,tsv,arff}
  for (const task of ['classification', 'regression'] as const) {
    const dirName = listDir(join(root, task)).find((d) => d.toLowerCase() === low);
    if (!dirName) continue;
    for (const ext of ['ts', 'arff', 'tsv']) {
      const train = firstFile(join(root, task, dirName, `${dirName}_TRAIN.${ext}`));
      const test = firstFile(join(root, task, dirName, `${dirName}_TEST.${ext}`));
      if (train && test) return { name: dirName, task, files: { train, test } };
    }
  }
  // forecasting: forecasting/ETT/<name>.csv or forecasting/<dir>/<name>.csv
  for (const sub of listDir(join(root, 'forecasting'))) {
    for (const f of listDir(join(root, 'forecasting', sub))) {
      const m = /^(.*)\.csv(\.gz)?$/.exec(f);
      if (m && (m[1]!.toLowerCase() === low || (low === 'ili' && m[1] === 'national_illness'))) {
        return { name: m[1]!, task: 'forecasting', files: { csv: join(root, 'forecasting', sub, f) } };
      }
    }
  }
  // NAB: "NAB/<file>" or "<file>"
  const nabName = low.replace(/^nab\//, '').replace(/\.csv$/, '');
  for (const [cat, files] of Object.entries(NAB_FILES)) {
    const file = files.find((f) => f.toLowerCase() === nabName || `${cat}/${f}`.toLowerCase() === nabName);
    if (!file) continue;
    const csv = firstFile(join(root, 'anomaly', 'NAB', 'data', cat, `${file}.csv`));
    if (!csv) continue;
    const labelsDir = join(root, 'anomaly', 'NAB', 'labels');
    const labels = firstFile(join(labelsDir, 'combined_windows.json')) ?? firstFile(join(labelsDir, 'combined_windows_excerpt.json'));
    return { name: `NAB/${file}`, task: 'anomaly', files: labels ? { csv, labels } : { csv } };
  }
  // imputation
  if (low === 'physionet2012' || low === 'physionet2012-a') {
    const dir = join(root, 'imputation', 'physionet2012');
    if (existsSync(join(dir, 'set-a'))) {
      const outcomes = firstFile(join(dir, 'Outcomes-a.txt'));
      return { name: 'physionet2012', task: 'imputation', files: outcomes ? { dir: join(dir, 'set-a'), outcomes } : { dir: join(dir, 'set-a') } };
    }
  }
  const station = /^beijingairquality\/(.+)$/.exec(low)?.[1];
  if (station) {
    const dir = join(root, 'imputation', 'beijing_multisite_air_quality');
    const f = listDir(dir).find((x) => x.toLowerCase().startsWith(`prsa_data_${station}_`));
    if (f) return { name: `BeijingAirQuality/${f.split('_')[2]}`, task: 'imputation', files: { csv: join(dir, f) } };
  }
  return undefined;
}

/** Where `name` can be downloaded from, when tsrepr knows how. */
function remoteInfo(name: string): DatasetInfo | undefined {
  const ett = ETT.find((e) => e.toLowerCase() === name.toLowerCase());
  if (ett) return { name: ett, task: 'forecasting', location: 'remote', url: ETT_URL(ett) };
  const nabName = name.toLowerCase().replace(/^nab\//, '').replace(/\.csv$/, '');
  for (const [cat, files] of Object.entries(NAB_FILES)) {
    const f = files.find((x) => x.toLowerCase() === nabName || `${cat}/${x}`.toLowerCase() === nabName);
    if (f) return { name: `NAB/${f}`, task: 'anomaly', location: 'remote', url: `${NAB_URL}/data/${cat}/${f}.csv` };
  }
  if (/^[A-Za-z][A-Za-z0-9]*$/.test(name) && !MANUAL[name.toLowerCase()]) {
    return { name, task: 'classification', location: 'remote', url: UCR_URL(name) };
  }
  return undefined;
}

/**
 * Finds a dataset by name in the bundled datasets, then the data directory, then the cache.
 * Throws IO naming every place looked and where to get the data when it is nowhere.
 */
export function resolveDataset(name: string, opts: RegistryOptions = {}): DatasetInfo {
  const looked: string[] = [];
  for (const [location, root] of roots(opts)) {
    looked.push(`${location} ${root}`);
    const hit = findIn(root, name);
    if (hit) return { ...hit, location };
  }
  const remote = remoteInfo(name);
  const key = name.toLowerCase().split('/')[0]!;
  const where = remote ? `run fetchDataset(${JSON.stringify(name)}) (or \`tsrepr fetch\`) to download ${remote.url}` : MANUAL[key] ? `get it from ${MANUAL[key]}` : 'set TSREPR_DATA to a directory with the datasets-raw layout';
  if (!opts.dataDir && !process.env.TSREPR_DATA) looked.push('data-dir (none: TSREPR_DATA not set)');
  throw new TsreprError('IO', `dataset ${JSON.stringify(name)} not found; looked in: ${looked.join('; ')}. To get it: ${where}`);
}

/** Names of the datasets present under one root. */
function scanRoot(root: string): Omit<DatasetInfo, 'location'>[] {
  const out: Omit<DatasetInfo, 'location'>[] = [];
  const add = (name: string) => { const hit = findIn(root, name); if (hit) out.push(hit); };
  for (const task of ['classification', 'regression']) listDir(join(root, task)).forEach(add);
  for (const sub of listDir(join(root, 'forecasting'))) {
    for (const f of listDir(join(root, 'forecasting', sub))) { const m = /^(.*)\.csv(\.gz)?$/.exec(f); if (m) add(m[1]!); }
  }
  for (const [cat, files] of Object.entries(NAB_FILES)) for (const f of files) if (firstFile(join(root, 'anomaly', 'NAB', 'data', cat, `${f}.csv`))) add(f);
  add('physionet2012');
  for (const f of listDir(join(root, 'imputation', 'beijing_multisite_air_quality'))) {
    const st = /^PRSA_Data_([^_]+)_/.exec(f)?.[1];
    if (st) add(`BeijingAirQuality/${st}`);
  }
  return out;
}

/**
 * Lists known datasets: everything present in the bundled dir, the data dir and the cache
 * (first location wins), then the downloadable ETT and NAB files as `remote`. Any UCR/UEA
 * archive name can also be fetched although it is not listed.
 */
export function listDatasets(opts: RegistryOptions = {}): DatasetInfo[] {
  const seen = new Map<string, DatasetInfo>();
  for (const [location, root] of roots(opts)) {
    for (const d of scanRoot(root)) if (!seen.has(d.name.toLowerCase())) seen.set(d.name.toLowerCase(), { ...d, location });
  }
  const remote = [...ETT, ...Object.values(NAB_FILES).flat()].map((n) => remoteInfo(n)!);
  for (const d of remote) if (!seen.has(d.name.toLowerCase())) seen.set(d.name.toLowerCase(), d);
  return [...seen.values()];
}

async function download(url: string, opts: RegistryOptions): Promise<Uint8Array> {
  const f = opts.fetch ?? globalThis.fetch;
  let res: Response;
  try {
    res = await f(url);
  } catch (err) {
    throw new TsreprError('IO', `cannot download ${url} (offline?): ${(err as Error).message}. Download it by hand into ${cacheDir(opts)} (same layout as the bundled datasets/) or set TSREPR_DATA`, { file: url }, { cause: err });
  }
  if (!res.ok) throw new TsreprError('IO', `cannot download ${url}: HTTP ${res.status}`, { file: url });
  return new Uint8Array(await res.arrayBuffer());
}

async function save(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}

/**
 * Makes a dataset available locally: returns its info at once when it is bundled, in the data
 * dir or cached; otherwise downloads it into the cache (ETT CSVs and NAB files from raw
 * GitHub, UCR/UEA `.ts` pairs from the timeseriesclassification.com zip). Throws IO naming the
 * URL when offline, and for datasets that must be fetched by hand (PhysioNet, Beijing air).
 */
export async function fetchDataset(name: string, opts: RegistryOptions = {}): Promise<DatasetInfo> {
  try {
    return resolveDataset(name, opts);
  } catch (err) {
    if (!(err instanceof TsreprError)) throw err;
  }
  const remote = remoteInfo(name);
  if (!remote) return resolveDataset(name, opts); // rethrows with the manual source
  const cache = cacheDir(opts);
  if (remote.task === 'forecasting') {
    await save(join(cache, 'forecasting', 'ETT', `${remote.name}.csv`), await download(remote.url!, opts));
  } else if (remote.task === 'anomaly') {
    const rel = remote.url!.slice(`${NAB_URL}/`.length);
    await save(join(cache, 'anomaly', 'NAB', ...rel.split('/')), await download(remote.url!, opts));
    const labels = join(cache, 'anomaly', 'NAB', 'labels', 'combined_windows.json');
    if (!existsSync(labels)) await save(labels, await download(`${NAB_URL}/labels/combined_windows.json`, opts));
  } else {
    const members = unzip(await download(remote.url!, opts), remote.url);
    let found = 0;
    for (const [path, bytes] of members) {
      const base = path.split('/').pop()!;
      const m = /^(.+)_(TRAIN|TEST)\.ts$/i.exec(base);
      if (!m || m[1]!.toLowerCase() !== name.toLowerCase()) continue;
      await save(join(cache, 'classification', m[1]!, base), bytes);
      found++;
    }
    if (found < 2) throw new TsreprError('BAD_INPUT', `archive has no ${name}_TRAIN.ts/${name}_TEST.ts pair (members: ${[...members.keys()].slice(0, 8).join(', ')})`, { file: remote.url });
  }
  return resolveDataset(name, opts);
}

/** A loaded dataset, shaped by task. */
export type LoadedDataset =
  | { task: 'classification'; info: DatasetInfo; train: TimeSeriesDataset; test: TimeSeriesDataset; classNames: string[] }
  | { task: 'regression'; info: DatasetInfo; train: TimeSeriesDataset; test: TimeSeriesDataset }
  | { task: 'forecasting'; info: DatasetInfo; data: ForecastDataset }
  | { task: 'anomaly'; info: DatasetInfo; data: NabDataset }
  | { task: 'imputation'; info: DatasetInfo; data: TimeSeriesDataset | Physionet2012Dataset };

/** Resolves a dataset by name (see `resolveDataset`, no download) and loads it with the right loader. */
export async function loadDataset(name: string, opts: RegistryOptions = {}): Promise<LoadedDataset> {
  const info = resolveDataset(name, opts);
  const f = info.files!;
  switch (info.task) {
    case 'classification': {
      const pair = await loadClassificationPair(f.train!, f.test!);
      return { task: 'classification', info, ...pair };
    }
    case 'regression':
      return { task: 'regression', info, train: await loadLabelledFile(f.train!), test: await loadLabelledFile(f.test!) };
    case 'forecasting':
      return { task: 'forecasting', info, data: /^ETT/i.test(info.name) ? await loadEtt(f.csv!) : await loadForecastCsv(f.csv!) };
    case 'anomaly':
      return { task: 'anomaly', info, data: await loadNab(f.csv!, f.labels) };
    case 'imputation':
      return {
        task: 'imputation', info,
        data: f.dir ? await loadPhysionet2012(f.dir, { outcomesPath: f.outcomes }) : await loadBeijingAirQuality(f.csv!),
      };
  }
}
