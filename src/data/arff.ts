import { TsreprError } from '../errors.js';
import type { TimeSeriesDataset } from './dataset.js';
import { parseNumberCell } from './parse.js';
import { readText } from './read.js';
import { packCases } from './ucr.js';

interface Attribute { name: string; type: string; nominal?: string[] }

function parseAttribute(rest: string): Attribute {
  const m = /^('[^']*'|"[^"]*"|\S+)\s+(.*)$/.exec(rest.trim());
  if (!m) return { name: rest.trim(), type: '' };
  const name = m[1]!.replace(/^['"]|['"]$/g, '');
  const type = m[2]!.trim();
  if (type.startsWith('{')) {
    const nominal = type.replace(/^\{|\}$/g, '').split(',').map((s) => s.trim().replace(/^['"]|['"]$/g, ''));
    return { name, type: 'nominal', nominal };
  }
  return { name, type: type.toLowerCase() };
}

/** Splits an ARFF data line at top-level commas (quotes may hold commas). */
function splitTopLevel(line: string): string[] {
  const out: string[] = [];
  let cur = '', quote = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === '\\' && i + 1 < line.length && line[i + 1] === quote) { cur += ch + line[++i]; continue; }
      if (ch === quote) quote = '';
      cur += ch;
    } else if (ch === "'" || ch === '"') { quote = ch; cur += ch; }
    else if (ch === ',') { out.push(cur); cur = ''; }
    else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

/**
 * Loads an ARFF time-series file: either flat (numeric attributes = time steps, last
 * attribute = class) or relational multivariate as in the UEA archive (EyesOpenShut): the
 * first attribute is relational and each instance is `'<ch1 values>\n<ch2 values>…',label`,
 * channels separated by a literal `\n`. Missing values are `?`. The last attribute is the
 * class label when nominal (or string); a missing label throws MISSING_LABELS.
 */
export async function loadArff(path: string): Promise<TimeSeriesDataset> {
  const text = await readText(path);
  const lines = text.split(/\r?\n/);
  const attrs: Attribute[] = [];
  let inRelational = false, relational = false, i = 0;
  for (; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '' || l.startsWith('%')) continue;
    const low = l.toLowerCase();
    if (low.startsWith('@relation')) continue;
    if (low.startsWith('@attribute')) {
      const a = parseAttribute(l.slice('@attribute'.length));
      if (inRelational) continue; // inner attributes: one per time step
      if (a.type.startsWith('relational')) { inRelational = true; relational = true; }
      attrs.push(a);
      continue;
    }
    if (low.startsWith('@end')) { inRelational = false; continue; }
    if (low.startsWith('@data')) { i++; break; }
    throw new TsreprError('BAD_INPUT', `unexpected header line ${JSON.stringify(l.slice(0, 40))}`, { file: path, row: i + 1 });
  }
  if (attrs.length === 0) throw new TsreprError('BAD_INPUT', 'no @attribute lines', { file: path });
  const last = attrs[attrs.length - 1]!;
  const labelled = last.type === 'nominal' || last.type === 'string' || /^(class|target|label)/i.test(last.name);
  const regression = labelled && last.type === 'numeric';
  const cases: { channels: number[][]; label?: string; line: number }[] = [];
  for (; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '' || l.startsWith('%')) continue;
    const line = i + 1;
    const cells = splitTopLevel(l);
    let label: string | undefined;
    if (labelled) {
      const lab = cells.length > (relational ? 1 : attrs.length - 1) ? cells.pop()!.replace(/^['"]|['"]$/g, '') : '';
      if (lab === '' || lab === '?') throw new TsreprError('MISSING_LABELS', `instance has no value for the class attribute ${JSON.stringify(last.name)}`, { file: path, row: line, column: last.name });
      label = lab;
    }
    let channels: number[][];
    if (relational) {
      const body = cells[0]!.replace(/^['"]|['"]$/g, '');
      channels = body.split(/\\n|\n/).map((ch, c) => ch.split(',').map((v, t) => parseNumberCell(v, { file: path, row: line, column: `dim ${c}, value ${t + 1}` })));
    } else {
      channels = [cells.map((v, t) => parseNumberCell(v, { file: path, row: line, column: attrs[t]?.name ?? t + 1 }))];
    }
    if (cases.length && channels.length !== cases[0]!.channels.length) {
      throw new TsreprError('RAGGED', `instance has ${channels.length} channels, expected ${cases[0]!.channels.length}`, { file: path, row: line });
    }
    cases.push({ channels, label, line });
  }
  return packCases(cases, path, { labelled, regression, declared: last.type === 'nominal' ? last.nominal : undefined });
}
