import { TsreprError } from '../errors.js';
import { createDataset, type TimeSeriesDataset } from './dataset.js';
import { parseNumberCell, sortLabels } from './parse.js';
import { readText } from './read.js';

/** One parsed case before packing: values per channel, the raw label text, its line. */
interface Case { channels: number[][]; label?: string; line: number }

/**
 * Packs parsed cases into a `[N, T, C]` dataset, padding shorter channels/cases with mask 0.
 * Class labels become indices into `classNames` (numpy.unique order unless `declared` gives
 * the header's list); `regression` keeps real-valued targets.
 */
export function packCases(
  cases: Case[], file: string,
  opts: { channelNames?: string[]; labelled: boolean; regression?: boolean; declared?: string[] },
): TimeSeriesDataset {
  if (cases.length === 0) throw new TsreprError('EMPTY_INPUT', 'no data rows', { file });
  const n = cases.length, C = cases[0]!.channels.length;
  // reduce, not Math.max(...spread): 10^5+ cases overflow the stack
  const L = cases.reduce((m, k) => Math.max(m, k.channels.reduce((a, ch) => Math.max(a, ch.length), 0)), 0);
  const values = new Float32Array(n * L * C).fill(NaN);
  const lengths = new Int32Array(n);
  cases.forEach((k, s) => {
    lengths[s] = k.channels.reduce((a, ch) => Math.max(a, ch.length), 0);
    k.channels.forEach((ch, c) => ch.forEach((v, t) => { values[(s * L + t) * C + c] = v; }));
  });
  let labels: Int32Array | Float32Array | undefined;
  let classNames: string[] | undefined;
  if (opts.labelled && opts.regression) {
    labels = Float32Array.from(cases, (k) => parseNumberCell(k.label, { file, row: k.line, column: 'target' }));
  } else if (opts.labelled) {
    const observed = cases.map((k) => k.label!);
    classNames = sortLabels(opts.declared && opts.declared.length ? [...opts.declared, ...observed] : observed);
    if (opts.declared && opts.declared.length) {
      const ok = new Set(opts.declared);
      const bad = cases.find((k) => !ok.has(k.label!));
      if (bad) throw new TsreprError('BAD_INPUT', `class label ${JSON.stringify(bad.label)} is not in the header's list ${opts.declared.join(' ')}`, { file, row: bad.line, column: 'label' });
    }
    const index = new Map(classNames.map((c, i) => [c, i]));
    labels = Int32Array.from(observed, (l) => index.get(l)!);
  }
  return createDataset({
    values, n, length: L, channels: C, lengths, labels, classNames,
    channelNames: opts.channelNames ?? Array.from({ length: C }, (_, c) => `dim_${c}`), source: file,
  });
}

function parseSeries(text: string, file: string, line: number, dim: number): number[] {
  const t = text.trim();
  if (t === '') return [];
  return t.split(',').map((cell, i) => parseNumberCell(cell, { file, row: line, column: `dim ${dim}, value ${i + 1}` }));
}

/**
 * Loads a sktime/UEA `.ts` file (univariate or multivariate, `?` missing values, unequal
 * lengths). Header keywords are case-insensitive. `@classLabel true …` gives class labels,
 * `@targetLabel true` real-valued regression targets. Throws MISSING_LABELS when the header
 * promises labels and a case lacks one, RAGGED when `@equalLength true` (or `@seriesLength`)
 * is contradicted, and RAGGED when cases have different numbers of dimensions.
 */
export async function loadUcrTs(path: string): Promise<TimeSeriesDataset> {
  const text = await readText(path);
  const lines = text.split(/\r?\n/);
  const header = new Map<string, string[]>();
  let i = 0;
  for (; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '' || l.startsWith('#')) continue;
    if (!l.startsWith('@')) throw new TsreprError('BAD_INPUT', 'data before the @data line', { file: path, row: i + 1 });
    const [key, ...rest] = l.slice(1).split(/\s+/);
    const k = key!.toLowerCase();
    if (k === 'data') { i++; break; }
    header.set(k, rest);
  }
  if (!header.size) throw new TsreprError('BAD_INPUT', 'no .ts header (@problemName … @data)', { file: path });
  const flag = (k: string) => header.get(k)?.[0]?.toLowerCase() === 'true';
  if (flag('timestamps')) throw new TsreprError('BAD_INPUT', '@timeStamps true (time-stamped .ts) is not supported', { file: path });
  const classLabel = flag('classlabel'), targetLabel = flag('targetlabel');
  const labelled = classLabel || targetLabel;
  const declared = classLabel ? header.get('classlabel')!.slice(1) : undefined;
  let dims = flag('univariate') ? 1 : header.has('dimensions') ? Number(header.get('dimensions')![0]) : undefined;
  const equal = flag('equallength');
  const seriesLength = header.has('serieslength') ? Number(header.get('serieslength')![0]) : undefined;
  const cases: Case[] = [];
  let firstLen = -1;
  for (; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '' || l.startsWith('#')) continue;
    const line = i + 1;
    const fields = l.split(':');
    let label: string | undefined;
    if (labelled) {
      const last = fields[fields.length - 1]!.trim();
      const lacks = fields.length === 1 || (dims !== undefined && fields.length === dims) || last === '' || (last.includes(',') && classLabel);
      if (lacks) throw new TsreprError('MISSING_LABELS', `the header says ${classLabel ? '@classLabel' : '@targetLabel'} true but this case has no label`, { file: path, row: line, column: 'label' });
      label = last;
      fields.pop();
    }
    dims ??= fields.length;
    if (fields.length !== dims) throw new TsreprError('RAGGED', `case has ${fields.length} dimensions, expected ${dims}`, { file: path, row: line });
    const channels = fields.map((f, c) => parseSeries(f, path, line, c));
    const len = Math.max(...channels.map((ch) => ch.length));
    if (equal || seriesLength !== undefined) {
      const expect = seriesLength ?? (firstLen < 0 ? len : firstLen);
      if (channels.some((ch) => ch.length !== expect)) {
        throw new TsreprError('RAGGED', `series length ${channels.map((ch) => ch.length).join('/')} but the header says ${seriesLength !== undefined ? `@seriesLength ${seriesLength}` : `@equalLength true (first case has ${expect})`}`, { file: path, row: line });
      }
    }
    if (firstLen < 0) firstLen = len;
    cases.push({ channels, label, line });
  }
  return packCases(cases, path, { labelled, regression: targetLabel, declared });
}

/**
 * Loads a UCR 2018 `.tsv` file: tab-separated (comma also accepted), no header, column 0 the
 * class label, the rest the values; `NaN` marks missing values and padding.
 */
export async function loadUcrTsv(path: string): Promise<TimeSeriesDataset> {
  const text = await readText(path);
  const lines = text.split(/\r?\n/);
  const cases: Case[] = [];
  lines.forEach((raw, i) => {
    const l = raw.trimEnd();
    if (l.trim() === '') return;
    const cells = l.split(l.includes('\t') ? '\t' : ',');
    const lab = cells[0]!.trim();
    if (lab === '' || lab.toLowerCase() === 'nan') throw new TsreprError('MISSING_LABELS', 'row has no class label in column 1', { file: path, row: i + 1, column: 1 });
    const label = Number.isFinite(Number(lab)) ? String(Number(lab)) : lab;
    const vals = cells.slice(1).map((c, j) => parseNumberCell(c, { file: path, row: i + 1, column: j + 2 }));
    cases.push({ channels: [vals], label, line: i + 1 });
  });
  const ds = packCases(cases, path, { labelled: true });
  // padding NaNs at the end are not part of the series
  return createDataset({ ...ds, lengths: undefined, mask: undefined, values: ds.values, labels: ds.labels, classNames: ds.classNames });
}
