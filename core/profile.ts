import { compareText, quantile } from './preprocess.js';
import type { ColumnProfile, DataProfile, FeatureColumn, TypedDataset } from './types.js';

const HISTOGRAM_BINS = 10;
/** A column with a larger share of missing cells is reported. */
const MISSING_SHARE_LIMIT = 0.5;
/** A level covering a larger share of all rows is reported as dominant. */
const DOMINANT_LEVEL_SHARE = 0.95;
/** A categorical column with at least this many levels, all distinct, looks like an identifier. */
const IDENTIFIER_MIN_LEVELS = 20;

/**
 * Profiles every feature column of a data set. `count` is the number of
 * non-missing cells and `distinct` the number of distinct non-missing values.
 * Numeric columns get min, max, mean, the sample standard deviation (n - 1
 * denominator, 0 for a single value), quartiles by linear interpolation and a
 * 10-bin equal-width histogram over [min, max]. Categorical columns list their
 * levels by count, most frequent first, with the positive-class rate of each.
 */
export function profileDataset(ds: TypedDataset): DataProfile {
  const rows = ds.labels.length;
  const positives = ds.labels.reduce((sum, label) => sum + label, 0);
  return {
    rows,
    positives,
    positiveRate: rows === 0 ? 0 : positives / rows,
    columns: ds.features.map((column) => profileColumn(column, ds.labels)),
  };
}

function profileColumn(column: FeatureColumn, labels: number[]): ColumnProfile {
  const rows = column.values.length;
  const present = (column.values as (number | string | null)[]).filter((value) => value !== null);
  const profile: ColumnProfile = {
    name: column.name,
    type: column.type,
    count: present.length,
    missing: rows - present.length,
    distinct: new Set(present).size,
    anomalies: [],
  };

  if (column.type === 'numeric' && present.length > 0) {
    profile.numeric = numericSummary(present as number[]);
  }
  if (column.type === 'categorical') {
    profile.categorical = { levels: levelCounts(column.values as (string | null)[], labels) };
  }
  profile.anomalies = findAnomalies(profile, rows);
  return profile;
}

function numericSummary(values: number[]): NonNullable<ColumnProfile['numeric']> {
  const ascending = [...values].sort((a, b) => a - b);
  const mean = ascending.reduce((sum, value) => sum + value, 0) / ascending.length;
  const squares = ascending.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return {
    min: ascending[0]!,
    max: ascending[ascending.length - 1]!,
    mean,
    std: ascending.length > 1 ? Math.sqrt(squares / (ascending.length - 1)) : 0,
    p25: quantile(ascending, 0.25),
    median: quantile(ascending, 0.5),
    p75: quantile(ascending, 0.75),
    histogram: histogram(ascending),
  };
}

/**
 * Counts ascending values into equal-width bins as numpy.histogram does: every
 * bin is half-open except the last, which includes the max. A constant column
 * spans [value - 0.5, value + 0.5].
 */
function histogram(ascending: number[]): { edges: number[]; counts: number[] } {
  let low = ascending[0]!;
  let high = ascending[ascending.length - 1]!;
  if (low === high) {
    low -= 0.5;
    high += 0.5;
  }
  const width = (high - low) / HISTOGRAM_BINS;
  const edges = Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => low + width * i);
  edges[HISTOGRAM_BINS] = high;

  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const value of ascending) {
    let bin = Math.min(Math.floor((value - low) / width), HISTOGRAM_BINS - 1);
    // Floating-point division can put a value one bin off, so the edges decide, as in numpy.
    if (value < edges[bin]!) bin--;
    else if (bin < HISTOGRAM_BINS - 1 && value >= edges[bin + 1]!) bin++;
    counts[bin]!++;
  }
  return { edges, counts };
}

function levelCounts(
  values: (string | null)[],
  labels: number[],
): { value: string; count: number; positiveRate: number }[] {
  const tallies = new Map<string, { count: number; positives: number }>();
  values.forEach((value, row) => {
    if (value === null) return;
    const tally = tallies.get(value) ?? { count: 0, positives: 0 };
    tally.count++;
    tally.positives += labels[row]!;
    tallies.set(value, tally);
  });
  return [...tallies.entries()]
    .map(([value, tally]) => ({
      value,
      count: tally.count,
      positiveRate: tally.positives / tally.count,
    }))
    .sort((a, b) => b.count - a.count || compareText(a.value, b.value));
}

function findAnomalies(profile: ColumnProfile, rows: number): string[] {
  const anomalies: string[] = [];
  if (profile.count === 0) return ['every value is missing'];

  const missingShare = profile.missing / rows;
  if (missingShare > MISSING_SHARE_LIMIT) {
    anomalies.push(`${percent(missingShare)} of values are missing`);
  }
  if (profile.distinct === 1) {
    anomalies.push('constant: every non-missing value is the same, so it carries no signal');
  }

  const levels = profile.categorical?.levels ?? [];
  const top = levels[0];
  if (profile.distinct > 1 && top !== undefined && top.count / rows > DOMINANT_LEVEL_SHARE) {
    anomalies.push(
      `level ${JSON.stringify(top.value)} covers ${percent(top.count / rows)} of rows`,
    );
  }
  const singles = levels.filter((level) => level.count === 1).length;
  if (profile.distinct >= IDENTIFIER_MIN_LEVELS && profile.distinct === profile.count) {
    anomalies.push(
      'every value is distinct, so the column looks like an identifier and cannot generalise',
    );
  } else if (singles > 0) {
    anomalies.push(
      `${singles} level(s) occur in a single row, so a split may leave them unseen in training`,
    );
  }
  return anomalies;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
