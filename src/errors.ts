/**
 * The one error type tsrepr throws for problems the caller can fix: bad input files, bad
 * hyper-parameters, unavailable backends, corrupt model directories. Anything else that
 * escapes is a bug.
 */
export type TsreprErrorCode =
  | 'BAD_INPUT' // malformed or inconsistent data
  | 'EMPTY_INPUT' // empty file or table
  | 'MISSING_COLUMN' // a named column is absent
  | 'NON_NUMERIC' // a cell that should be a number is not
  | 'NON_FINITE' // Inf in the data (NaN/missing values are allowed and masked)
  | 'RAGGED' // mixed-length rows where the format forbids them
  | 'MISSING_LABELS' // a labelled format without labels
  | 'BAD_OPTION' // an invalid hyper-parameter or option
  | 'BACKEND_UNAVAILABLE'
  | 'BAD_MODEL' // corrupt, truncated or incompatible model directory
  | 'DIVERGED' // NaN/Inf loss or gradient during training
  | 'ABORTED' // cancelled through an AbortSignal
  | 'NOT_FITTED'
  | 'IO';

export interface ErrorLocation {
  file?: string;
  row?: number; // 1-based line/row number in the source file where known
  column?: string | number;
}

export class TsreprError extends Error {
  readonly code: TsreprErrorCode;
  readonly location?: ErrorLocation;
  constructor(code: TsreprErrorCode, message: string, location?: ErrorLocation, options?: { cause?: unknown }) {
    super(formatMessage(message, location), options);
    this.name = 'TsreprError';
    this.code = code;
    this.location = location;
  }
}

function formatMessage(message: string, loc?: ErrorLocation): string {
  if (!loc) return message;
  const parts: string[] = [];
  if (loc.file) parts.push(loc.file);
  if (loc.row !== undefined) parts.push(`row ${loc.row}`);
  if (loc.column !== undefined) parts.push(`column ${JSON.stringify(loc.column)}`);
  return parts.length ? `${parts.join(', ')}: ${message}` : message;
}

/** Throws a BAD_OPTION error unless `cond` holds. */
export function checkOption(cond: boolean, message: string): asserts cond {
  if (!cond) throw new TsreprError('BAD_OPTION', message);
}

/** Validates a numeric hyper-parameter: finite, in [min, max], optionally an integer. */
export function checkNumber(
  name: string,
  value: unknown,
  opts: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {},
): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TsreprError('BAD_OPTION', `${name} must be a finite number, got ${String(value)}`);
  }
  if (opts.integer && !Number.isInteger(value)) {
    throw new TsreprError('BAD_OPTION', `${name} must be an integer, got ${value}`);
  }
  if (opts.min !== undefined && (opts.exclusiveMin ? value <= opts.min : value < opts.min)) {
    throw new TsreprError('BAD_OPTION', `${name} must be ${opts.exclusiveMin ? '>' : '>='} ${opts.min}, got ${value}`);
  }
  if (opts.max !== undefined && value > opts.max) {
    throw new TsreprError('BAD_OPTION', `${name} must be <= ${opts.max}, got ${value}`);
  }
  return value;
}
