import { beforeAll, describe, expect, it } from 'vitest';
import { profileDataset } from '../../core/profile.js';
import type { DataProfile, TypedDataset } from '../../core/types.js';
import { loadGermanCredit } from '../support/german-credit.js';

/*
 * Reference values come from pandas 3.1.1 and numpy 2.4.6:
 *
 *   df = pd.read_csv('german_credit.data', sep=' ', header=None, names=cols)
 *   df.credit_amount.describe()   # std uses n - 1; quartiles interpolate linearly
 *   # count 1000, mean 3271.258, std 2822.7368759604406, min 250,
 *   # 25% 1365.5, 50% 2319.5, 75% 3972.25, max 18424
 *   np.histogram(df.credit_amount, bins=10)
 *   # counts [445, 293, 97, 80, 38, 19, 14, 8, 5, 1]
 *   # edges  [250, 2067.4, 3884.8, 5702.2, 7519.6, 9337, 11154.4, 12971.8, 14789.2, 16606.6, 18424]
 *   df.groupby('purpose')['class'].agg(['size', lambda s: (s == 2).mean()])
 *   # A43 280 62/280, A40 234 89/234, A42 181 58/181, A41 103 17/103, A49 97 34/97,
 *   # A46 50 22/50, A45 22 8/22, A410 12 5/12, A44 12 4/12, A48 9 1/9
 *   df.foreign_worker.value_counts(normalize=True).iloc[0]   # 0.963
 *   np.histogram([5.0, 5.0, 5.0], bins=10)
 *   # counts [0, 0, 0, 0, 0, 3, 0, 0, 0, 0], edges 4.5 .. 5.5 in steps of 0.1
 */
const CREDIT_AMOUNT_EDGES = [
  250, 2067.4, 3884.8, 5702.200000000001, 7519.6, 9337, 11154.400000000001, 12971.800000000001,
  14789.2, 16606.6, 18424,
];

describe('profileDataset on German credit', () => {
  let profile: DataProfile;
  beforeAll(() => {
    profile = profileDataset(loadGermanCredit());
  });

  const column = (name: string) => profile.columns.find((entry) => entry.name === name)!;

  it('counts rows and positives', () => {
    expect(profile.rows).toBe(1000);
    expect(profile.positives).toBe(300);
    expect(profile.positiveRate).toBe(0.3);
    expect(profile.columns).toHaveLength(20);
  });

  it('summarises a numeric column like pandas', () => {
    const amount = column('credit_amount');
    expect(amount.count).toBe(1000);
    expect(amount.missing).toBe(0);
    expect(amount.distinct).toBe(921);
    expect(amount.numeric!.min).toBe(250);
    expect(amount.numeric!.max).toBe(18424);
    expect(amount.numeric!.mean).toBeCloseTo(3271.258, 9);
    expect(amount.numeric!.std).toBeCloseTo(2822.7368759604406, 9);
    expect(amount.numeric!.p25).toBe(1365.5);
    expect(amount.numeric!.median).toBe(2319.5);
    expect(amount.numeric!.p75).toBe(3972.25);
    expect(amount.categorical).toBeUndefined();
  });

  it('bins a histogram like numpy', () => {
    const { histogram } = column('credit_amount').numeric!;
    expect(histogram.counts).toEqual([445, 293, 97, 80, 38, 19, 14, 8, 5, 1]);
    histogram.edges.forEach((edge, i) => expect(edge).toBeCloseTo(CREDIT_AMOUNT_EDGES[i]!, 9));
  });

  it('lists levels with positive rates', () => {
    const purpose = column('purpose');
    expect(purpose.numeric).toBeUndefined();
    expect(purpose.categorical!.levels.map((level) => [level.value, level.count])).toEqual([
      ['A43', 280],
      ['A40', 234],
      ['A42', 181],
      ['A41', 103],
      ['A49', 97],
      ['A46', 50],
      ['A45', 22],
      ['A410', 12],
      ['A44', 12],
      ['A48', 9],
    ]);
    const rates = [
      62 / 280,
      89 / 234,
      58 / 181,
      17 / 103,
      34 / 97,
      22 / 50,
      8 / 22,
      5 / 12,
      4 / 12,
      1 / 9,
    ];
    purpose.categorical!.levels.forEach((level, i) =>
      expect(level.positiveRate).toBeCloseTo(rates[i]!, 14),
    );
  });

  it('flags only the dominant foreign_worker level', () => {
    const flagged = profile.columns.filter((entry) => entry.anomalies.length > 0);
    expect(flagged.map((entry) => entry.name)).toEqual(['foreign_worker']);
    expect(flagged[0]!.anomalies).toEqual(['level "A201" covers 96.3% of rows']);
  });
});

describe('profileDataset anomalies', () => {
  const rows = 24;
  const ds: TypedDataset = {
    features: [
      { name: 'constant', type: 'numeric', values: Array.from({ length: rows }, () => 5) },
      {
        name: 'sparse',
        type: 'numeric',
        values: Array.from({ length: rows }, (_, i) => (i < 13 ? null : i)),
      },
      { name: 'empty', type: 'categorical', values: Array.from({ length: rows }, () => null) },
      {
        name: 'id',
        type: 'categorical',
        values: Array.from({ length: rows }, (_, i) => `id-${i}`),
      },
      {
        name: 'rare',
        type: 'categorical',
        values: Array.from({ length: rows }, (_, i) => (i < 2 ? `r${i}` : 'common')),
      },
    ],
    labels: Array.from({ length: rows }, (_, i) => i % 2),
    sourceLines: Array.from({ length: rows }, (_, i) => i + 1),
    target: { column: 'y', positiveClass: '1' },
  };
  const profile = profileDataset(ds);
  const anomalies = (name: string) =>
    profile.columns.find((entry) => entry.name === name)!.anomalies;

  it('flags a constant column', () => {
    expect(anomalies('constant')).toEqual([
      'constant: every non-missing value is the same, so it carries no signal',
    ]);
    expect(profile.columns[0]!.numeric!.std).toBe(0);
    expect(profile.columns[0]!.numeric!.histogram.counts).toEqual([0, 0, 0, 0, 0, 24, 0, 0, 0, 0]);
    expect(profile.columns[0]!.numeric!.histogram.edges[0]).toBe(4.5);
  });

  it('flags mostly missing values', () => {
    expect(anomalies('sparse')).toEqual(['54.2% of values are missing']);
    expect(profile.columns[1]!.count).toBe(11);
    expect(profile.columns[1]!.missing).toBe(13);
  });

  it('flags an all-missing column', () => {
    expect(anomalies('empty')).toEqual(['every value is missing']);
    expect(profile.columns[2]!.categorical!.levels).toEqual([]);
  });

  it('flags an identifier-like column', () => {
    expect(anomalies('id')).toEqual([
      'every value is distinct, so the column looks like an identifier and cannot generalise',
    ]);
  });

  it('flags single-row levels', () => {
    expect(anomalies('rare')).toEqual([
      '2 level(s) occur in a single row, so a split may leave them unseen in training',
    ]);
  });
});
