/**
 * Feature preprocessing, fitted on the training split and applied the same
 * way to every later row. The ONNX export reproduces exactly this math:
 *
 *   numeric x:      missing -> imputeValue, then clip to [clipMin, clipMax]
 *                   when set, then (x - mean) / std
 *   categorical v:  missing -> imputeValue, then one-hot over `categories`;
 *                   a level not seen in training encodes as all zeros
 *
 * Encoded columns are the numerics in input order, then one block of
 * one-hot columns per categorical in input order.
 */
import { DataValidationError, parseNumericText } from './dataset.js';
import type { ProjectSpec } from './spec.js';
import type {
  CategoricalTransform,
  FeatureColumn,
  FittedPreprocessor,
  Matrix,
  NumericTransform,
  TypedDataset,
} from './types.js';

/** Preprocessing options from the spec's `data.preprocessing`. */
export type PreprocessingOptions = ProjectSpec['data']['preprocessing'];

/** A raw input row keyed by column name, as sent to serving. */
export type InputRecord = Record<string, string | number | null>;

/**
 * Fits the preprocessor on the training rows `trainIdx` only. Each numeric
 * column is imputed with the training median or mean. When `clipQuantile > 0`,
 * it is then clipped at the `clipQuantile` and `1 - clipQuantile` quantiles of
 * the imputed training values (linear interpolation). Finally it is
 * standardised with the population mean and standard deviation of the
 * imputed, clipped values, and a constant column gets std 1. Categorical
 * levels are ordered by training frequency, most frequent first, ties by value.
 *
 * Throws DataValidationError when a feature has no non-missing value in the
 * training rows, and RangeError when `trainIdx` is empty.
 */
export function fitPreprocessor(
  ds: TypedDataset,
  trainIdx: number[],
  options: PreprocessingOptions,
): FittedPreprocessor {
  if (trainIdx.length === 0) {
    const message =
      'cannot fit preprocessing: trainIdx has no rows. Pass at least one training row.';
    throw new RangeError(message);
  }
  const numeric: NumericTransform[] = [];
  const categorical: CategoricalTransform[] = [];

  for (const column of ds.features) {
    if (column.type === 'numeric') numeric.push(fitNumeric(column, trainIdx, options));
    else categorical.push(fitCategorical(column, trainIdx));
  }
  return {
    inputOrder: ds.features.map((column) => ({ name: column.name, type: column.type })),
    numeric,
    categorical,
    encodedNames: [
      ...numeric.map((transform) => transform.name),
      ...categorical.flatMap((transform) =>
        transform.categories.map((level) => `${transform.name}=${level}`),
      ),
    ],
  };
}

/**
 * Encodes the data set rows at `indices`, in that order, into a matrix with
 * one column per `encodedNames` entry. Throws Error when a fitted feature is
 * absent from the data set or has a different type.
 */
export function transformRows(
  ds: TypedDataset,
  indices: number[],
  pre: FittedPreprocessor,
): Matrix {
  const byName = new Map(ds.features.map((column) => [column.name, column]));
  const numericColumns = pre.numeric.map((transform) =>
    featureOfType(byName, transform.name, 'numeric'),
  );
  const categoricalColumns = pre.categorical.map((transform) =>
    featureOfType(byName, transform.name, 'categorical'),
  );

  const readNumeric: NumericReader = (position, transformIndex) =>
    numericColumns[transformIndex]!.values[indices[position]!] as number | null;
  const readCategorical: CategoryReader = (position, transformIndex) =>
    categoricalColumns[transformIndex]!.values[indices[position]!] as string | null;
  return encode(indices.length, pre, readNumeric, readCategorical);
}

/**
 * Encodes raw records the same way as `transformRows`. A null, undefined or
 * empty value is missing, and so is NaN in a numeric column. Numbers in a
 * categorical column are matched as their string form.
 *
 * Throws DataValidationError (rule `numeric`) when a numeric column contains a
 * string that is not a decimal number. The error's line is the record's
 * 1-based position in `records`.
 */
export function transformRecords(records: InputRecord[], pre: FittedPreprocessor): Matrix {
  return encode(
    records.length,
    pre,
    (position, transformIndex) =>
      readNumber(records[position]!, pre.numeric[transformIndex]!.name, position + 1),
    (position, transformIndex) =>
      readCategory(records[position]!, pre.categorical[transformIndex]!.name),
  );
}

/**
 * Reads a numeric cell of a raw record as a number, or null when it is
 * missing (null, undefined, '' or NaN). Strings are parsed as decimal
 * numbers. Throws DataValidationError, with `position` as the line, on any
 * other string or type.
 */
export function readNumber(
  record: InputRecord,
  name: string,
  position: number | null,
): number | null {
  const value = record[name];
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return Number.isNaN(value) ? null : value;

  const parsed = typeof value === 'string' ? parseNumericText(value) : null;
  if (parsed !== null) return parsed;
  throw new DataValidationError({
    column: name,
    line: position,
    rule: 'numeric',
    value,
    problem: 'value for a numeric feature is not a decimal number',
    fix: 'Send a number, or null when the value is unknown.',
  });
}

/** Reads a categorical cell of a raw record as a string, or null when the value is missing. */
export function readCategory(record: InputRecord, name: string): string | null {
  const value = record[name];
  if (value === null || value === undefined || value === '') return null;
  return String(value);
}

function fitNumeric(
  column: FeatureColumn,
  trainIdx: number[],
  options: PreprocessingOptions,
): NumericTransform {
  const present = trainIdx
    .map((row) => column.values[row] as number | null)
    .filter((v): v is number => v !== null);
  if (present.length === 0) throw noTrainingValues(column.name);
  const imputeValue =
    options.numericImpute === 'mean' ? mean(present) : quantile(sorted(present), 0.5);

  const imputed = sorted(
    trainIdx.map((row) => (column.values[row] as number | null) ?? imputeValue),
  );
  const clipping = options.clipQuantile > 0;
  const clipMin = clipping ? quantile(imputed, options.clipQuantile) : null;
  const clipMax = clipping ? quantile(imputed, 1 - options.clipQuantile) : null;
  const scaled = imputed.map((value) => clip(value, clipMin, clipMax));

  // `scaled` is ascending, so equal ends mean a constant column. Testing that exactly avoids
  // dividing by a computed std of about 1e-17, which equal floats can produce.
  const constant = scaled[0] === scaled[scaled.length - 1];
  const center = constant ? scaled[0]! : mean(scaled);
  const std = constant ? 1 : Math.sqrt(mean(scaled.map((value) => (value - center) ** 2)));
  return { name: column.name, imputeValue, mean: center, std, clipMin, clipMax };
}

function fitCategorical(column: FeatureColumn, trainIdx: number[]): CategoricalTransform {
  const counts = new Map<string, number>();
  for (const row of trainIdx) {
    const value = column.values[row] as string | null;
    if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  if (counts.size === 0) throw noTrainingValues(column.name);

  const categories = [...counts.keys()].sort(
    (a, b) => counts.get(b)! - counts.get(a)! || compareText(a, b),
  );
  return { name: column.name, categories, imputeValue: categories[0]! };
}

type NumericReader = (position: number, transformIndex: number) => number | null;
type CategoryReader = (position: number, transformIndex: number) => string | null;

function encode(
  rows: number,
  pre: FittedPreprocessor,
  readNumeric: NumericReader,
  readCategorical: CategoryReader,
): Matrix {
  const cols = pre.encodedNames.length;
  const data = new Float32Array(rows * cols);
  const levelIndexes = pre.categorical.map(
    (transform) => new Map(transform.categories.map((level, i) => [level, i])),
  );

  for (let position = 0; position < rows; position++) {
    const base = position * cols;
    pre.numeric.forEach((transform, i) => {
      const value = readNumeric(position, i) ?? transform.imputeValue;
      data[base + i] =
        (clip(value, transform.clipMin, transform.clipMax) - transform.mean) / transform.std;
    });
    let blockStart = base + pre.numeric.length;
    pre.categorical.forEach((transform, i) => {
      const level = levelIndexes[i]!.get(readCategorical(position, i) ?? transform.imputeValue);
      if (level !== undefined) data[blockStart + level] = 1;
      blockStart += transform.categories.length;
    });
  }
  return { rows, cols, data };
}

function featureOfType(
  byName: Map<string, FeatureColumn>,
  name: string,
  type: FeatureColumn['type'],
): FeatureColumn {
  const column = byName.get(name);
  const fix = 'Transform a data set with the columns and types the preprocessor was fitted on.';
  if (column === undefined) {
    throw new Error(`cannot transform rows: feature "${name}" is not in the data set. ${fix}`);
  }
  if (column.type !== type) {
    throw new Error(
      `cannot transform rows: feature "${name}" is ${column.type} in the data set ` +
        `but was fitted as ${type}. ${fix}`,
    );
  }
  return column;
}

function noTrainingValues(name: string): DataValidationError {
  return new DataValidationError({
    column: name,
    line: null,
    rule: 'trainingValues',
    problem: 'every value in the training split is missing, so nothing can be fitted',
    fix: 'Exclude the column in data.features.exclude or fill its missing values.',
  });
}

function clip(value: number, min: number | null, max: number | null): number {
  if (min !== null && value < min) return min;
  if (max !== null && value > max) return max;
  return value;
}

function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * Returns the q-quantile (0 <= q <= 1) of ascending, non-empty values with
 * linear interpolation between ranks, numpy's default method.
 */
export function quantile(ascending: number[], q: number): number {
  const rank = (ascending.length - 1) * q;
  const lower = Math.floor(rank);
  const fraction = rank - lower;
  const below = ascending[lower]!;
  const above = ascending[Math.min(lower + 1, ascending.length - 1)]!;
  // Interpolating from the nearer end, as numpy does, keeps results identical to its output.
  return fraction < 0.5
    ? below + (above - below) * fraction
    : above - (above - below) * (1 - fraction);
}

/** Orders strings by UTF-16 code units, independent of locale. */
export function compareText(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}
