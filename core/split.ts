import { createRng, shuffleInPlace } from './rng.js';
import type { SplitIndices } from './types.js';

/** Shares of the rows for each split. Each is in (0, 1), and together they sum to 1. */
export interface SplitRatios {
  train: number;
  validation: number;
  test: number;
}

const SPLIT_NAMES = ['train', 'validation', 'test'] as const;

/**
 * Splits row indices into train, validation and test, keeping each label's
 * share the same in every split. Each label's rows are shuffled with the
 * seeded generator and cut by the ratios, with counts rounded by largest
 * remainder so they add up to the label's row count. A label with 3 or more
 * rows puts at least one row in every split. Returns ascending index lists;
 * the same labels, ratios and seed always give the same split.
 *
 * Throws RangeError when labels are empty or a ratio is not in (0, 1) or
 * the ratios do not sum to 1.
 */
export function stratifiedSplit(labels: number[], ratios: SplitRatios, seed: number): SplitIndices {
  validateInputs(labels, ratios);
  const rng = createRng(seed);
  const split: SplitIndices = { train: [], validation: [], test: [] };

  // Classes are visited in ascending label order so that the rng draws are reproducible.
  for (const rows of rowsByLabel(labels)) {
    shuffleInPlace(rows, rng);
    const counts = allocate(rows.length, ratios);
    let offset = 0;
    SPLIT_NAMES.forEach((name, position) => {
      split[name].push(...rows.slice(offset, offset + counts[position]!));
      offset += counts[position]!;
    });
  }
  for (const name of SPLIT_NAMES) split[name].sort((a, b) => a - b);
  return split;
}

function validateInputs(labels: number[], ratios: SplitRatios): void {
  if (labels.length === 0) {
    throw new RangeError('cannot split: labels is empty. Pass one label per data set row.');
  }
  const values = SPLIT_NAMES.map((name) => ratios[name]);
  const sum = values.reduce((total, value) => total + value, 0);
  if (values.some((value) => !(value > 0 && value < 1)) || Math.abs(sum - 1) > 1e-9) {
    throw new RangeError(
      `invalid split ratios ${JSON.stringify(ratios)}: ` +
        'train, validation and test must each be in (0, 1) and sum to 1',
    );
  }
}

function rowsByLabel(labels: number[]): number[][] {
  const groups = new Map<number, number[]>();
  labels.forEach((label, row) => {
    const rows = groups.get(label);
    if (rows) rows.push(row);
    else groups.set(label, [row]);
  });
  return [...groups.keys()].sort((a, b) => a - b).map((label) => groups.get(label)!);
}

/** Returns row counts for train, validation and test that sum to `total`. */
function allocate(total: number, ratios: SplitRatios): number[] {
  const exact = SPLIT_NAMES.map((name) => total * ratios[name]);
  const counts = exact.map(Math.floor);
  const byRemainder = [0, 1, 2].sort(
    (a, b) => exact[b]! - counts[b]! - (exact[a]! - counts[a]!) || a - b,
  );
  let left = total - counts.reduce((sum, count) => sum + count, 0);
  for (const position of byRemainder) {
    if (left === 0) break;
    counts[position]!++;
    left--;
  }

  // Small classes could leave a split without any row of the class, which breaks per-split metrics.
  if (total >= SPLIT_NAMES.length) {
    for (let position = 0; position < counts.length; position++) {
      if (counts[position]! > 0) continue;
      const donor = counts.indexOf(Math.max(...counts));
      counts[donor]!--;
      counts[position]!++;
    }
  }
  return counts;
}
