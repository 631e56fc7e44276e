import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataValidationError } from '../../core/dataset.js';
import { categoricalDrift, featureDrift, numericDrift, psi } from '../../core/drift.js';
import type { FeatureColumn, FeatureDrift } from '../../core/types.js';

/*
 * Reference values come from numpy 2.4.6 and pandas 3.1.1 with the same binning:
 *
 *   def psi(r, c, eps=1e-4):
 *       r = np.maximum(np.asarray(r, float), eps); c = np.maximum(np.asarray(c, float), eps)
 *       return float(np.sum((c - r) * np.log(c / r)))
 *
 *   def numeric_drift(ref, cur, bins):
 *       present = ref[~np.isnan(ref)]
 *       edges = np.unique(np.quantile(present, np.arange(1, bins) / bins))
 *       def shares(x):
 *           idx = np.searchsorted(edges, x[~np.isnan(x)], side='right')
 *           counts = np.bincount(idx, minlength=len(edges) + 1) / len(x)
 *           return counts, np.isnan(x).sum() / len(x)
 *       # a missing share is appended to both sides when either side has one
 *
 *   def categorical_drift(ref, cur):
 *       counts = ref.dropna().value_counts()
 *       levels = sorted(counts.index, key=lambda v: (-counts[v], v))
 *       # one share per level, then (other) for unseen levels and (missing),
 *       # each appended only when either side has rows in it
 *
 * The German file is split into reference rows 0-499 and current rows 500-999.
 */

function germanColumn(index: number): string[] {
  const text = readFileSync(
    new URL('../../examples/credit-scoring/german_credit.data', import.meta.url),
    'utf8',
  );
  return text
    .trim()
    .split('\n')
    .map((line) => line.split(' ')[index]!);
}

const DURATION = germanColumn(1).map(Number);
const CREDIT_AMOUNT = germanColumn(4).map(Number);
const AGE = germanColumn(12).map(Number);
const PURPOSE = germanColumn(3);

function expectShares(drift: FeatureDrift, reference: number[], current: number[]): void {
  expect(drift.bins.map((bin) => bin.reference)).toHaveLength(reference.length);
  drift.bins.forEach((bin, i) => {
    expect(bin.reference, `reference share of ${bin.label}`).toBeCloseTo(reference[i]!, 12);
    expect(bin.current, `current share of ${bin.label}`).toBeCloseTo(current[i]!, 12);
  });
}

describe('psi', () => {
  it('matches numpy on known shares', () => {
    // psi([0.1, 0.2, 0.3, 0.4], [0.15, 0.25, 0.25, 0.35]) = 0.04722308044204256
    expect(psi([0.1, 0.2, 0.3, 0.4], [0.15, 0.25, 0.25, 0.35])).toBeCloseTo(
      0.04722308044204256,
      14,
    );
  });

  it('floors an empty bin at epsilon', () => {
    // psi([0.5, 0.5, 0.0], [0.4, 0.4, 0.2]) = 1.5640491119253044
    expect(psi([0.5, 0.5, 0], [0.4, 0.4, 0.2])).toBeCloseTo(1.5640491119253044, 12);
  });

  it('is zero for equal shares', () => {
    expect(psi([0.25, 0.25, 0.5], [0.25, 0.25, 0.5])).toBe(0);
  });

  it('rejects bins of different lengths', () => {
    expect(() => psi([0.5, 0.5], [1])).toThrow(
      new RangeError(
        'cannot compute PSI: got 2 reference and 1 current shares. Pass one share per bin on both sides.',
      ),
    );
  });
});

describe('numericDrift', () => {
  it('merges duplicate quantile edges', () => {
    // edges [8, 12, 18, 21, 24, 30, 36]; psi 0.040406541241493586
    const drift = numericDrift('duration_months', DURATION.slice(0, 500), DURATION.slice(500), 10);
    expect(drift.bins.map((bin) => bin.label)).toEqual([
      '< 8',
      '[8, 12)',
      '[12, 18)',
      '[18, 21)',
      '[21, 24)',
      '[24, 30)',
      '[30, 36)',
      '>= 36',
    ]);
    expectShares(
      drift,
      [0.096, 0.102, 0.27, 0.126, 0.022, 0.176, 0.038, 0.17],
      [0.078, 0.084, 0.236, 0.116, 0.042, 0.226, 0.048, 0.17],
    );
    expect(drift.psi).toBeCloseTo(0.040406541241493586, 12);
    expect(drift.type).toBe('numeric');
  });

  it('matches numpy on continuous values', () => {
    // edges [908.3, 1237.8, 1466, 1882.8, 2248, 2760.8, 3532.4, 4751, 7239.5]; psi 0.015691661512692277
    const drift = numericDrift(
      'credit_amount',
      CREDIT_AMOUNT.slice(0, 500),
      CREDIT_AMOUNT.slice(500),
      10,
    );
    expect(drift.bins[0]!.label).toBe('< 908.3');
    expect(drift.bins[9]!.label).toBe('>= 7239.5');
    expectShares(
      drift,
      Array.from({ length: 10 }, () => 0.1),
      [0.084, 0.088, 0.112, 0.104, 0.082, 0.1, 0.11, 0.124, 0.1, 0.096],
    );
    expect(drift.psi).toBeCloseTo(0.015691661512692277, 12);
  });

  it('adds a missing bin', () => {
    // ref = age[:500] with every 7th set to NaN, cur = age[500:] with every 5th; bins 5
    // edges [26, 30, 36, 44.6]; psi 0.028379946685544503
    const reference = AGE.slice(0, 500).map((age, i) => (i % 7 === 0 ? null : age));
    const current = AGE.slice(500).map((age, i) => (i % 5 === 0 ? null : age));
    const drift = numericDrift('age_years', reference, current, 5);
    expect(drift.bins.map((bin) => bin.label)).toEqual([
      '< 26',
      '[26, 30)',
      '[30, 36)',
      '[36, 44.6)',
      '>= 44.6',
      '(missing)',
    ]);
    expectShares(
      drift,
      [0.156, 0.164, 0.188, 0.176, 0.172, 0.144],
      [0.15, 0.138, 0.162, 0.188, 0.162, 0.2],
    );
    expect(drift.psi).toBeCloseTo(0.028379946685544503, 12);
  });

  it('rejects an empty current sample', () => {
    expect(() => numericDrift('age_years', [1, 2], [], 10)).toThrow(
      new RangeError(
        'cannot measure drift of "age_years": got 2 reference and 0 current values. ' +
          'Both samples need at least one row.',
      ),
    );
  });
});

describe('categoricalDrift', () => {
  it('bins unseen and missing levels', () => {
    // cur = purpose[500:] with the first 20 set to the unseen 'A411' and the next 10 to None
    // psi 0.3703218062133638
    const current: (string | null)[] = PURPOSE.slice(500);
    current.fill('A411', 0, 20).fill(null, 20, 30);
    const drift = categoricalDrift('purpose', PURPOSE.slice(0, 500), current);
    expect(drift.bins.map((bin) => bin.label)).toEqual([
      'A43',
      'A40',
      'A42',
      'A41',
      'A49',
      'A46',
      'A45',
      'A410',
      'A44',
      'A48',
      '(other)',
      '(missing)',
    ]);
    expectShares(
      drift,
      [0.278, 0.208, 0.196, 0.102, 0.102, 0.05, 0.024, 0.016, 0.012, 0.012, 0, 0],
      [0.264, 0.24, 0.162, 0.092, 0.09, 0.048, 0.018, 0.008, 0.012, 0.006, 0.04, 0.02],
    );
    expect(drift.psi).toBeCloseTo(0.3703218062133638, 12);
  });

  it('omits empty other and missing bins', () => {
    const drift = categoricalDrift('housing', ['a', 'b', 'a'], ['b', 'b']);
    expect(drift.bins).toEqual([
      { label: 'a', reference: 2 / 3, current: 0 },
      { label: 'b', reference: 1 / 3, current: 1 },
    ]);
  });
});

describe('featureDrift', () => {
  const columns: FeatureColumn[] = [
    { name: 'age', type: 'numeric', values: [20, 30, 40, 50] },
    { name: 'housing', type: 'categorical', values: ['own', 'rent', 'own', null] },
  ];

  it('reads records like serving does', () => {
    const records = [
      { age: '25', housing: 'own' },
      { age: 45, housing: '' },
      { age: null, housing: 'free' },
    ];
    const drifts = featureDrift(columns, records, 2);
    expect(drifts.map((drift) => drift.feature)).toEqual(['age', 'housing']);
    expect(drifts[0]!.bins).toEqual([
      { label: '< 35', reference: 0.5, current: 1 / 3 },
      { label: '>= 35', reference: 0.5, current: 1 / 3 },
      { label: '(missing)', reference: 0, current: 1 / 3 },
    ]);
    expect(drifts[1]!.bins.map((bin) => [bin.label, bin.current])).toEqual([
      ['own', 1 / 3],
      ['rent', 0],
      ['(other)', 1 / 3],
      ['(missing)', 1 / 3],
    ]);
    expect(drifts[0]!.psi).toBeCloseTo(psi([0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]), 14);
  });

  it('rejects a non-numeric value', () => {
    let error: unknown;
    try {
      featureDrift(columns, [{ age: 'old', housing: 'own' }], 2);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DataValidationError);
    expect((error as DataValidationError).message).toBe(
      'column "age", line 1: value for a numeric feature is not a decimal number (rule numeric, got "old"). ' +
        'Send a number, or null when the value is unknown.',
    );
  });
});
