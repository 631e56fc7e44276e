import { compareText, quantile, readCategory, readNumber, type InputRecord } from './preprocess.js';
import type { FeatureColumn, FeatureDrift } from './types.js';

/** Shares below this are raised to it, so that an empty bin does not make PSI infinite. */
const DEFAULT_SHARE_FLOOR = 1e-4;
const MISSING_LABEL = '(missing)';
const OTHER_LABEL = '(other)';

/**
 * Computes the population stability index, sum of (c - r) * ln(c / r) over
 * bins, where r and c are the reference and current shares of a bin. Each
 * share is first raised to at least `epsilon` (default 1e-4) and the shares
 * are not renormalised afterwards, so a bin that is empty on one side adds a
 * large but finite term. Throws RangeError when the lengths differ.
 */
export function psi(
  referenceShares: number[],
  currentShares: number[],
  epsilon = DEFAULT_SHARE_FLOOR,
): number {
  if (referenceShares.length !== currentShares.length) {
    throw new RangeError(
      `cannot compute PSI: got ${referenceShares.length} reference and ` +
        `${currentShares.length} current shares. Pass one share per bin on both sides.`,
    );
  }
  let total = 0;
  referenceShares.forEach((share, bin) => {
    const reference = Math.max(share, epsilon);
    const current = Math.max(currentShares[bin]!, epsilon);
    total += (current - reference) * Math.log(current / reference);
  });
  return total;
}

/**
 * Measures the drift of a numeric feature. Bin edges are the reference
 * quantiles at 1/bins, 2/bins, ... (linear interpolation), with duplicates
 * dropped, so skewed or discrete features get fewer bins. A value v falls in
 * the bin [edge_k, edge_k+1), and the first and last bins are open-ended. A
 * `(missing)` bin is added when either side has nulls. Shares are fractions
 * of all rows, missing included.
 *
 * Throws RangeError when either sample is empty or `bins` is not an integer >= 1.
 */
export function numericDrift(
  name: string,
  reference: (number | null)[],
  current: (number | null)[],
  bins: number,
): FeatureDrift {
  checkSamples(name, reference, current);
  if (!Number.isInteger(bins) || bins < 1) {
    throw new RangeError(
      `cannot measure drift of "${name}": bins is ${bins}, expected an integer >= 1`,
    );
  }
  const present = reference
    .filter((value): value is number => value !== null)
    .sort((a, b) => a - b);
  const edges = present.length === 0 ? [] : quantileEdges(present, bins);

  const labels = [...binLabels(edges), MISSING_LABEL];
  const missingBin = labels.length - 1;
  const binOf = (value: number | null): number =>
    value === null ? missingBin : countAtOrBelow(edges, value);
  return buildDrift(
    name,
    'numeric',
    labels,
    [reference.map(binOf), current.map(binOf)],
    [missingBin],
  );
}

/**
 * Measures the drift of a categorical feature with one bin per reference
 * level, most frequent first. Current values unseen in the reference share an
 * `(other)` bin, present only when there are such values, and nulls go to a
 * `(missing)` bin, present when either side has nulls. Throws RangeError when
 * either sample is empty.
 */
export function categoricalDrift(
  name: string,
  reference: (string | null)[],
  current: (string | null)[],
): FeatureDrift {
  checkSamples(name, reference, current);
  const counts = new Map<string, number>();
  for (const value of reference)
    if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
  const levels = [...counts.keys()].sort(
    (a, b) => counts.get(b)! - counts.get(a)! || compareText(a, b),
  );

  const levelIndex = new Map(levels.map((level, i) => [level, i]));
  const labels = [...levels, OTHER_LABEL, MISSING_LABEL];
  const [otherBin, missingBin] = [levels.length, levels.length + 1];
  const binOf = (value: string | null): number =>
    value === null ? missingBin : (levelIndex.get(value) ?? otherBin);
  return buildDrift(
    name,
    'categorical',
    labels,
    [reference.map(binOf), current.map(binOf)],
    [otherBin, missingBin],
  );
}

/**
 * Measures the drift of every reference column against current raw records,
 * in column order. Record values are read as serving reads them: null,
 * undefined and '' are missing, numeric strings are parsed. Throws
 * DataValidationError on a non-numeric string in a numeric column.
 */
export function featureDrift(
  referenceColumns: FeatureColumn[],
  currentRecords: InputRecord[],
  bins: number,
): FeatureDrift[] {
  return referenceColumns.map((column) => {
    if (column.type === 'numeric') {
      const current = currentRecords.map((record, i) => readNumber(record, column.name, i + 1));
      return numericDrift(column.name, column.values, current, bins);
    }
    const current = currentRecords.map((record) => readCategory(record, column.name));
    return categoricalDrift(column.name, column.values, current);
  });
}

function checkSamples(name: string, reference: unknown[], current: unknown[]): void {
  if (reference.length > 0 && current.length > 0) return;
  throw new RangeError(
    `cannot measure drift of "${name}": got ${reference.length} reference and ` +
      `${current.length} current values. Both samples need at least one row.`,
  );
}

function quantileEdges(ascending: number[], bins: number): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const edge = quantile(ascending, k / bins);
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  return edges;
}

/** Returns how many edges are <= value, which is the value's bin. */
function countAtOrBelow(edges: number[], value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (edges[middle]! <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function binLabels(edges: number[]): string[] {
  if (edges.length === 0) return ['all values'];
  const middle = edges.slice(1).map((edge, i) => `[${formatEdge(edges[i]!)}, ${formatEdge(edge)})`);
  return [`< ${formatEdge(edges[0]!)}`, ...middle, `>= ${formatEdge(edges[edges.length - 1]!)}`];
}

function formatEdge(edge: number): string {
  return String(Number(edge.toPrecision(6)));
}

/**
 * Turns each row's bin index into per-bin shares and PSI. The `optional`
 * bins, such as `(missing)`, are left out when both samples leave them empty.
 */
function buildDrift(
  name: string,
  type: FeatureDrift['type'],
  labels: string[],
  [referenceBins, currentBins]: [number[], number[]],
  optional: number[],
): FeatureDrift {
  const referenceAll = shares(referenceBins, labels.length);
  const currentAll = shares(currentBins, labels.length);
  const reported = labels
    .map((label, bin) => ({ label, reference: referenceAll[bin]!, current: currentAll[bin]!, bin }))
    .filter((entry) => !optional.includes(entry.bin) || entry.reference > 0 || entry.current > 0);

  return {
    feature: name,
    type,
    psi: psi(
      reported.map((entry) => entry.reference),
      reported.map((entry) => entry.current),
    ),
    bins: reported.map(({ label, reference, current }) => ({ label, reference, current })),
  };
}

function shares(bins: number[], binCount: number): number[] {
  const counts = new Array<number>(binCount).fill(0);
  for (const bin of bins) counts[bin]!++;
  return counts.map((count) => count / bins.length);
}
