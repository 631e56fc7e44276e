import type { ParsedTable } from './csv.js';
import type { ProjectSpec } from './spec.js';
import type { ColumnType, FeatureColumn, TypedDataset } from './types.js';

/** The parts of the spec's `data` section that typing and validation read. */
export type DatasetSpec = Pick<ProjectSpec['data'], 'target' | 'schema' | 'features' | 'rules'> & {
  format: Pick<ProjectSpec['data']['format'], 'missingValues'>;
};

/** One broken data rule, with where it broke and what to do about it. */
export interface DataIssue {
  /** The column concerned, or null for the file or data set as a whole. */
  column: string | null;
  /** 1-based physical line in the source file, or null when no single line is at fault. */
  line: number | null;
  /** Short name of the rule, such as `numeric`, `fieldCount` or `maxMissingFraction`. */
  rule: string;
  /** The offending value, when there is one. */
  value?: unknown;
  /** Description of the problem, as a clause such as `value is not a number`. */
  problem: string;
  /** Action that fixes the problem, addressed to the user. */
  fix: string;
}

/**
 * Data that cannot be parsed, typed or trained on. Retrying does not help, so
 * callers treat it as non-retryable. The code is stable for matching.
 */
export class DataValidationError extends Error {
  readonly code = 'DATA_INVALID';
  readonly column: string | null;
  readonly line: number | null;
  readonly rule: string;
  readonly value?: unknown;

  constructor(issue: DataIssue) {
    super(formatDataIssue(issue));
    this.name = 'DataValidationError';
    this.column = issue.column;
    this.line = issue.line;
    this.rule = issue.rule;
    if ('value' in issue) this.value = issue.value;
  }
}

/** Formats an issue as `column "c", line 7: problem (rule r, got v). Fix.` */
export function formatDataIssue(issue: DataIssue): string {
  const places: string[] = [];
  if (issue.column !== null) places.push(`column ${JSON.stringify(issue.column)}`);
  if (issue.line !== null) places.push(`line ${issue.line}`);
  const where = places.length > 0 ? places.join(', ') : 'data set';
  const got = 'value' in issue ? `, got ${preview(issue.value)}` : '';
  return `${where}: ${issue.problem} (rule ${issue.rule}${got}). ${issue.fix}`;
}

const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a decimal number such as `12`, `-0.5` or `1e3`, ignoring surrounding
 * whitespace. Returns null for anything else, including hex, `Infinity` and ''.
 */
export function parseNumericText(text: string): number | null {
  const trimmed = text.trim();
  if (!DECIMAL_NUMBER.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

/**
 * Builds a typed data set from parsed rows. `columnNames` names every field
 * in file order: the header row, or the spec's `columns`/`columnsFile`.
 *
 * Features are `features.include` when set, else every column except the
 * target, and `features.exclude` is removed from either. A type declared in
 * `schema` wins. Otherwise a column is numeric when every non-missing cell
 * is a decimal number, and categorical if not. Cells listed in
 * `format.missingValues` become null. The target must be complete and have
 * exactly two raw values, one equal to `positiveClass`, which is labelled 1.
 *
 * Throws DataValidationError on a missing or duplicate column, a
 * non-numeric cell in a declared numeric column, a bad target or a broken
 * `rules` limit (minRows, minRowsPerClass, maxMissingFraction).
 */
export function buildTypedDataset(
  parsed: ParsedTable,
  data: DatasetSpec,
  columnNames: string[],
): TypedDataset {
  const columnIndex = indexColumns(parsed, columnNames);
  checkNamedColumnsExist(data, columnIndex, columnNames);
  const featureNames = selectFeatures(data, columnNames);
  const missingValues = new Set(data.format.missingValues);

  checkMinRows(parsed.rows.length, data.rules.minRows);
  const targetIndex = columnIndex.get(data.target.column)!;
  const { labels, negativeClass } = readLabels(parsed, targetIndex, data.target, missingValues);
  checkClassCounts(labels, negativeClass, data);

  const features = featureNames.map((name) =>
    typeColumn(parsed, name, columnIndex.get(name)!, data.schema[name], missingValues),
  );
  for (const column of features) checkMissingFraction(column, data.rules.maxMissingFraction);
  return {
    features,
    labels,
    sourceLines: [...parsed.lineNumbers],
    target: { column: data.target.column, positiveClass: data.target.positiveClass },
  };
}

/**
 * Serialises a data set as JSON with a fixed key order, so that equal data
 * sets give identical text and hash.
 */
export function canonicalDatasetJson(ds: TypedDataset): string {
  return JSON.stringify({
    target: { column: ds.target.column, positiveClass: ds.target.positiveClass },
    features: ds.features.map((column) => ({
      name: column.name,
      type: column.type,
      values: column.values,
    })),
    labels: ds.labels,
    sourceLines: ds.sourceLines,
  });
}

function indexColumns(parsed: ParsedTable, columnNames: string[]): Map<string, number> {
  const width = parsed.rows[0]?.length ?? columnNames.length;
  if (width !== columnNames.length) {
    throw new DataValidationError({
      column: null,
      line: parsed.lineNumbers[0] ?? null,
      rule: 'fieldCount',
      value: width,
      problem: `rows have ${width} field(s) but ${columnNames.length} column names were given`,
      fix:
        'List one column name per field in data.format.columns or the columns file, ' +
        'or check the delimiter.',
    });
  }
  const index = new Map<string, number>();
  columnNames.forEach((name, position) => {
    if (index.has(name)) {
      throw new DataValidationError({
        column: name,
        line: null,
        rule: 'uniqueColumns',
        problem: 'the column name appears more than once',
        fix: 'Rename one of the columns so that every name is unique.',
      });
    }
    index.set(name, position);
  });
  return index;
}

function checkNamedColumnsExist(
  data: DatasetSpec,
  columnIndex: Map<string, number>,
  columnNames: string[],
): void {
  const named: [string, string[]][] = [
    ['data.target.column', [data.target.column]],
    ['data.schema', Object.keys(data.schema)],
    ['data.features.include', data.features.include ?? []],
    ['data.features.exclude', data.features.exclude],
  ];
  for (const [field, names] of named) {
    const absent = names.find((name) => !columnIndex.has(name));
    if (absent === undefined) continue;
    throw new DataValidationError({
      column: absent,
      line: null,
      rule: 'columnExists',
      problem: `the column named in ${field} is not in the data`,
      fix: `Use one of the columns: ${columnNames.join(', ')}.`,
    });
  }
  if (data.features.include?.includes(data.target.column)) {
    throw new DataValidationError({
      column: data.target.column,
      line: null,
      rule: 'targetNotFeature',
      problem: 'the target column is listed in data.features.include',
      fix: 'Remove the target from data.features.include, because a model must not see its label.',
    });
  }
}

function selectFeatures(data: DatasetSpec, columnNames: string[]): string[] {
  const excluded = new Set([data.target.column, ...data.features.exclude]);
  const candidates = data.features.include ?? columnNames;
  const selected = candidates.filter((name) => !excluded.has(name));
  if (selected.length === 0) {
    throw new DataValidationError({
      column: null,
      line: null,
      rule: 'features',
      problem: 'no feature columns remain after removing the target and data.features.exclude',
      fix: 'Keep at least one column besides the target.',
    });
  }
  return selected;
}

function checkMinRows(rows: number, minRows: number): void {
  if (rows >= minRows) return;
  throw new DataValidationError({
    column: null,
    line: null,
    rule: 'minRows',
    value: rows,
    problem: `the data set has ${rows} row(s), fewer than data.rules.minRows (${minRows})`,
    fix: 'Add rows or lower data.rules.minRows.',
  });
}

function readLabels(
  parsed: ParsedTable,
  targetIndex: number,
  target: DatasetSpec['target'],
  missing: Set<string>,
): { labels: number[]; negativeClass: string } {
  const raw = parsed.rows.map((row) => row[targetIndex]!);
  const missingRow = raw.findIndex((value) => missing.has(value));
  if (missingRow !== -1) {
    throw new DataValidationError({
      column: target.column,
      line: parsed.lineNumbers[missingRow]!,
      rule: 'targetComplete',
      value: raw[missingRow],
      problem: 'the target is missing',
      fix:
        'Drop rows without a label, or remove the value from data.format.missingValues ' +
        'if it is a real class.',
    });
  }
  const found = [...new Set(raw)].sort();
  if (found.length !== 2 || !found.includes(target.positiveClass)) {
    throw new DataValidationError({
      column: target.column,
      line: null,
      rule: found.length !== 2 ? 'binaryTarget' : 'positiveClass',
      value: found.length > 10 ? [...found.slice(0, 10), `... ${found.length - 10} more`] : found,
      problem:
        'the target must have exactly two values, one of them ' +
        `positiveClass ${JSON.stringify(target.positiveClass)}`,
      fix:
        'Set data.target.positiveClass to one of the values found, ' +
        'or recode the target to two classes.',
    });
  }
  return {
    labels: raw.map((value) => (value === target.positiveClass ? 1 : 0)),
    negativeClass: found.find((value) => value !== target.positiveClass)!,
  };
}

function checkClassCounts(labels: number[], negativeClass: string, data: DatasetSpec): void {
  const positives = labels.reduce((sum, label) => sum + label, 0);
  const counts: [string, number][] = [
    [data.target.positiveClass, positives],
    [negativeClass, labels.length - positives],
  ];
  const minimum = data.rules.minRowsPerClass;
  for (const [name, count] of counts) {
    if (count >= minimum) continue;
    throw new DataValidationError({
      column: data.target.column,
      line: null,
      rule: 'minRowsPerClass',
      value: count,
      problem:
        `class ${JSON.stringify(name)} has ${count} row(s), ` +
        `fewer than data.rules.minRowsPerClass (${minimum})`,
      fix: 'Add rows of that class or lower data.rules.minRowsPerClass.',
    });
  }
}

function typeColumn(
  parsed: ParsedTable,
  name: string,
  index: number,
  declared: ColumnType | undefined,
  missing: Set<string>,
): FeatureColumn {
  const raw = parsed.rows.map((row) => row[index]!);
  const present = raw.filter((value) => !missing.has(value));
  const type =
    declared ??
    (present.every((value) => parseNumericText(value) !== null) ? 'numeric' : 'categorical');
  if (type === 'categorical') {
    return { name, type, values: raw.map((value) => (missing.has(value) ? null : value)) };
  }

  const values = raw.map((value, row) => {
    if (missing.has(value)) return null;
    const number = parseNumericText(value);
    if (number !== null) return number;
    throw new DataValidationError({
      column: name,
      line: parsed.lineNumbers[row]!,
      rule: 'numeric',
      value,
      problem: 'value in a numeric column is not a decimal number',
      fix:
        'Fix the value, add it to data.format.missingValues, ' +
        'or declare the column categorical in data.schema.',
    });
  });
  return { name, type, values };
}

function checkMissingFraction(column: FeatureColumn, maxMissingFraction: number): void {
  const missing = column.values.filter((value) => value === null).length;
  const fraction = column.values.length === 0 ? 0 : missing / column.values.length;
  if (fraction <= maxMissingFraction) return;
  throw new DataValidationError({
    column: column.name,
    line: null,
    rule: 'maxMissingFraction',
    value: fraction,
    problem:
      `${missing} of ${column.values.length} values are missing, ` +
      `above data.rules.maxMissingFraction (${maxMissingFraction})`,
    fix:
      'Exclude the column in data.features.exclude, fill the missing values, ' +
      'or raise data.rules.maxMissingFraction.',
  });
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
