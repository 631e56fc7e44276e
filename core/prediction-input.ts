import { parseNumericText } from './dataset.js';
import { ValidationError, type FieldIssue } from './errors.js';
import type { FeatureRecord } from './records.js';
import type { ColumnType, FittedPreprocessor } from './types.js';

/** Limits for one prediction request. */
export interface PredictionInputOptions {
  /** Rows accepted in one request. */
  maxRows: number;
}

/** One input column for onnxruntime in row order, for the caller to wrap in an [N, 1] tensor. */
export type OnnxColumn =
  { type: 'float32'; data: Float32Array } | { type: 'string'; data: string[] };

/** Issues listed in one ValidationError; the rest are counted in a last issue. */
const MAX_LISTED_ISSUES = 100;
/** Names listed in a message before the rest are counted. */
const MAX_LISTED_NAMES = 20;

interface FeatureRule {
  type: ColumnType;
  /** Training levels of a categorical feature. */
  levels?: ReadonlySet<string>;
  levelList?: string;
}

/**
 * Validates the `rows` of a prediction request against the model's features
 * and returns them as records that the plain-TS encoder and columnsForOnnx
 * accept.
 *
 * Rules: `rows` is a non-empty array of at most `options.maxRows` objects.
 * Each row has every feature of `pre.inputOrder` and no other field; null
 * marks a missing value, which the model imputes. A numeric feature takes a
 * finite JSON number, and a numeric string such as "12" is rejected so that
 * clients fix their encoding. A categorical feature takes one of its training
 * levels as a string. It also takes a number whose decimal form is a level
 * (4 for the level "4"), because the one-hot encoder compares string forms.
 * Such a number is returned as that string.
 *
 * @throws ValidationError with one issue per problem, with paths such as
 *   `rows.3.duration_months`. At most 100 issues are listed, and a last
 *   issue at `rows` counts the rest.
 */
export function validatePredictionRows(
  rows: unknown,
  pre: FittedPreprocessor,
  options: PredictionInputOptions,
): { records: FeatureRecord[] } {
  const issues = rowListIssues(rows, options.maxRows);
  if (issues.length > 0) throw new ValidationError('prediction request', issues);

  const rules = featureRules(pre);
  const records = (rows as unknown[]).map((row, index) =>
    validateRow(row, `rows.${index}`, rules, issues),
  );
  if (issues.length > MAX_LISTED_ISSUES) {
    const unlisted = issues.length - MAX_LISTED_ISSUES;
    const message = `has ${unlisted} more issues not listed`;
    issues.splice(MAX_LISTED_ISSUES, unlisted, { path: 'rows', message });
  }
  if (issues.length > 0) throw new ValidationError('prediction request', issues);
  return { records };
}

/**
 * Turns validated records into one column per feature of `pre.inputOrder`
 * for the exported ONNX model. A missing numeric value becomes NaN, which the
 * model imputes. A missing or empty categorical value becomes the feature's
 * `imputeValue` level here, because the model's one-hot encoder cannot
 * impute.
 *
 * @throws TypeError when a numeric value is neither a number nor null, which
 *   validatePredictionRows would have rejected.
 */
export function columnsForOnnx(
  records: FeatureRecord[],
  pre: FittedPreprocessor,
): Record<string, OnnxColumn> {
  const columns: Record<string, OnnxColumn> = {};
  for (const { name, type } of pre.inputOrder) {
    if (type === 'numeric') {
      const data = Float32Array.from(records, (record) => numericCell(record, name));
      columns[name] = { type: 'float32', data };
      continue;
    }
    const transform = pre.categorical.find((candidate) => candidate.name === name);
    const imputeValue = transform?.imputeValue ?? '';
    const data = records.map((record) => {
      const value = record[name];
      return value === null || value === undefined || value === '' ? imputeValue : String(value);
    });
    columns[name] = { type: 'string', data };
  }
  return columns;
}

function numericCell(record: FeatureRecord, name: string): number {
  const value = record[name];
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value === 'number') return value;
  const found = JSON.stringify(value);
  throw new TypeError(
    `invalid value ${found} for numeric feature "${name}": expected a number or null; ` +
      'validate rows with validatePredictionRows first',
  );
}

function rowListIssues(rows: unknown, maxRows: number): FieldIssue[] {
  if (rows === undefined) {
    return [{ path: 'rows', message: 'is required: send an array of row objects' }];
  }
  if (!Array.isArray(rows)) {
    return [{ path: 'rows', value: rows, message: 'must be an array of row objects' }];
  }
  if (rows.length === 0) {
    return [{ path: 'rows', value: rows, message: 'must contain at least one row' }];
  }
  if (rows.length > maxRows) {
    const message = `must contain at most ${maxRows} rows; send larger batches in several requests`;
    return [{ path: 'rows', value: rows.length, message }];
  }
  return [];
}

function featureRules(pre: FittedPreprocessor): Map<string, FeatureRule> {
  const levelsByName = new Map(
    pre.categorical.map((transform) => [transform.name, transform.categories]),
  );
  return new Map(
    pre.inputOrder.map(({ name, type }): [string, FeatureRule] => {
      const levels = levelsByName.get(name) ?? [];
      if (type === 'numeric') return [name, { type }];
      return [name, { type, levels: new Set(levels), levelList: listNames(levels) }];
    }),
  );
}

/** Checks one row, appending its issues to `issues`, and returns the accepted values. */
function validateRow(
  row: unknown,
  path: string,
  rules: Map<string, FeatureRule>,
  issues: FieldIssue[],
): FeatureRecord {
  const record: FeatureRecord = {};
  if (row === null || typeof row !== 'object' || Array.isArray(row)) {
    const message = 'must be an object that maps each feature name to its value';
    issues.push({ path, value: row, message });
    return record;
  }

  const fields = row as Record<string, unknown>;
  for (const [name, rule] of rules) {
    const fieldPath = `${path}.${name}`;
    if (!Object.hasOwn(fields, name) || fields[name] === undefined) {
      issues.push({ path: fieldPath, message: 'is required; send null when the value is unknown' });
      continue;
    }
    const checked = checkValue(fields[name], rule);
    if ('message' in checked) {
      issues.push({ path: fieldPath, value: fields[name], message: checked.message });
    } else {
      record[name] = checked.value;
    }
  }
  for (const name of Object.keys(fields).filter((key) => !rules.has(key))) {
    const expected = listNames([...rules.keys()]);
    const message = `is not an input feature of this model; expected only ${expected}`;
    issues.push({ path: `${path}.${name}`, value: fields[name], message });
  }
  return record;
}

type CheckResult = { value: string | number | null } | { message: string };

function checkValue(value: unknown, rule: FeatureRule): CheckResult {
  if (value === null) return { value: null };
  if (rule.type === 'numeric') return checkNumeric(value);

  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text === 'string' && rule.levels!.has(text)) return { value: text };
  if (typeof value === 'string' || typeof value === 'number') {
    const levels = rule.levelList;
    return {
      message: `must be one of the training levels ${levels}, or null when the value is unknown`,
    };
  }
  return { message: `must be a string, one of the training levels ${rule.levelList}, or null` };
}

function checkNumeric(value: unknown): CheckResult {
  if (typeof value === 'number' && Number.isFinite(value)) return { value };
  const parsed = typeof value === 'string' ? parseNumericText(value) : null;
  if (parsed !== null) {
    return { message: `must be a JSON number, not a string; send ${parsed} without quotes` };
  }
  return { message: 'must be a finite number, or null when the value is unknown' };
}

/** Quotes names for a message, listing at most MAX_LISTED_NAMES and counting the rest. */
function listNames(names: readonly string[]): string {
  const listed = names.slice(0, MAX_LISTED_NAMES).map((name) => JSON.stringify(name));
  const unlisted = names.length - listed.length;
  return unlisted > 0 ? `${listed.join(', ')} and ${unlisted} more` : listed.join(', ');
}
