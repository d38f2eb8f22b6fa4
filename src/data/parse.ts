import { TsreprError, type ErrorLocation } from '../errors.js';

/** Cell spellings read as "missing" (NaN, mask 0). Compared case-insensitively after trimming. */
export const MISSING_TOKENS: ReadonlySet<string> = new Set(['', '?', 'nan', 'na', 'n/a', 'null', 'none']);
const INF_RE = /^[+-]?(inf|infinity)$/i;
const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** True when the cell (string, number or null/undefined) denotes a missing value. */
export function isMissingCell(cell: unknown): boolean {
  if (cell === null || cell === undefined) return true;
  if (typeof cell === 'number') return Number.isNaN(cell);
  if (typeof cell === 'string') return MISSING_TOKENS.has(cell.trim().toLowerCase());
  return false;
}

/**
 * Parses one cell into a number: NaN for a missing token; throws NON_FINITE for Inf and
 * NON_NUMERIC for anything else that is not a plain decimal number. `where` names the
 * file/row/column for the message.
 */
export function parseNumberCell(cell: unknown, where: ErrorLocation): number {
  if (typeof cell === 'number') {
    if (cell === Infinity || cell === -Infinity) throw new TsreprError('NON_FINITE', 'infinite value', where);
    return cell;
  }
  if (typeof cell === 'bigint') return Number(cell);
  if (cell === null || cell === undefined) return NaN;
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  if (typeof cell !== 'string') {
    throw new TsreprError('NON_NUMERIC', `expected a number, got ${Object.prototype.toString.call(cell)}`, where);
  }
  const s = cell.trim();
  if (NUM_RE.test(s)) return Number(s);
  if (MISSING_TOKENS.has(s.toLowerCase())) return NaN;
  if (INF_RE.test(s)) throw new TsreprError('NON_FINITE', `infinite value ${JSON.stringify(s)}`, where);
  throw new TsreprError('NON_NUMERIC', `expected a number, got ${JSON.stringify(cell.length > 40 ? cell.slice(0, 40) + '…' : cell)}`, where);
}

/** True when the string cell is a number or a missing/Inf token (used to sniff numeric columns). */
export function looksNumeric(cell: unknown): boolean {
  if (typeof cell === 'number' || typeof cell === 'bigint' || cell === null || cell === undefined) return true;
  if (typeof cell !== 'string') return false;
  const s = cell.trim();
  return NUM_RE.test(s) || MISSING_TOKENS.has(s.toLowerCase()) || INF_RE.test(s);
}

const DATE_RE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses a time cell into milliseconds since the epoch. Naive date-times such as
 * `2016-07-01 00:00:00` or `1990/1/1 0:00` are read as UTC (so results do not depend on the
 * machine's time zone); an explicit `Z`/`+hh:mm` offset is honoured; Date objects and numbers
 * pass through (numbers are taken as ms). Throws BAD_INPUT naming `where` otherwise.
 */
export function parseTimeCell(cell: unknown, where: ErrorLocation): number {
  if (cell instanceof Date) return cell.getTime();
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'bigint') return Number(cell);
  if (cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '')) {
    throw new TsreprError('BAD_INPUT', 'missing time stamp', where);
  }
  const s = String(cell).trim();
  const m = DATE_RE.exec(s);
  if (m) {
    const [, y, mo, d, h, mi, sec, frac, tz] = m;
    let ms = Date.UTC(+y!, +mo! - 1, +d!, +(h ?? 0), +(mi ?? 0), +(sec ?? 0), frac ? Math.round(parseFloat(frac) * 1000) : 0);
    if (tz && tz !== 'Z') {
      const sign = tz[0] === '-' ? -1 : 1;
      const digits = tz.slice(1).replace(':', '');
      ms -= sign * (+digits.slice(0, 2) * 60 + +digits.slice(2)) * 60_000;
    }
    if (!Number.isNaN(ms)) return ms;
  }
  if (NUM_RE.test(s)) return Number(s);
  const parsed = Date.parse(s);
  if (!Number.isNaN(parsed)) return parsed;
  throw new TsreprError('BAD_INPUT', `cannot parse time stamp ${JSON.stringify(s)}`, where);
}

/**
 * Sorts distinct labels the way numpy.unique does: numerically when every label parses as a
 * number, else by code unit (string order).
 */
export function sortLabels(labels: Iterable<string>): string[] {
  const uniq = [...new Set(labels)];
  if (uniq.length > 0 && uniq.every((l) => NUM_RE.test(l.trim()))) return uniq.sort((a, b) => Number(a) - Number(b));
  return uniq.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
