import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeMetrics, evaluateGates, rocCurve } from '../../core/metrics.js';
import type { Metrics } from '../../core/types.js';

/*
 * Reference values come from scikit-learn 1.9.1, scipy 1.17.1 and numpy 2.4.6:
 *
 *   from sklearn.metrics import (roc_auc_score, log_loss, brier_score_loss,
 *       precision_recall_fscore_support, accuracy_score, roc_curve)
 *   from scipy.stats import ks_2samp
 *   y = np.array([0, 0, 1, 1, 0, 1, 0, 1, 1, 0])
 *   s = np.array([0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.2, 0.9, 0.6, 0.6])
 *   roc_auc_score(y, s)                          # 0.78
 *   ks_2samp(s[y == 1], s[y == 0]).statistic     # 0.4
 *   accuracy_score(y, s >= 0.4)                  # 0.6
 *   precision_recall_fscore_support(y, s >= 0.4, average='binary')
 *                                                # 0.5714285714285714, 0.8, 0.6666666666666666
 *   log_loss(y, s)                               # 0.5071888593489031
 *   brier_score_loss(y, s)                       # 0.17225000000000001
 *   roc_curve(y, s, drop_intermediate=False)     # the points in HAND_ROC
 *
 * By hand, AUC counts positive-over-negative pairs with ties as one half:
 * 0.35 beats 2, 0.8 beats 5, 0.4 beats 2 and ties 2, 0.9 beats 5, 0.6 beats 4
 * and ties 1, so (2 + 5 + 3 + 5 + 4.5) / 25 = 0.78.
 */
const HAND_LABELS = [0, 0, 1, 1, 0, 1, 0, 1, 1, 0];
const HAND_SCORES = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.2, 0.9, 0.6, 0.6];
const HAND_ROC = [
  [0, 0],
  [0, 0.2],
  [0, 0.4],
  [0.2, 0.6],
  [0.6, 0.8],
  [0.6, 1],
  [0.8, 1],
  [1, 1],
];

/*
 * The German credit file with a fixed score from two columns, class 2 as 1:
 *
 *   df = pd.read_csv('german_credit.data', sep=' ', header=None, names=cols)
 *   y = (df['class'] == 2).astype(int).to_numpy()
 *   z = 0.04 * (df.duration_months - 21) + 0.0001 * (df.credit_amount - 3271) - 0.85
 *   score = (1 / (1 + np.exp(-z))).to_numpy()
 *   # the same sklearn and scipy calls as above, threshold 1/6
 */
const GERMAN_EXPECTED = {
  auc: 0.6231285714285715,
  ks: 0.18142857142857144,
  accuracy: 0.355,
  precision: 0.3155080213903743,
  recall: 0.9833333333333333,
  f1: 0.4777327935222672,
  logLoss: 0.5961221347772748,
  brier: 0.20358810465871297,
};

function germanScores(): { labels: number[]; scores: number[] } {
  const text = readFileSync(
    new URL('../../examples/credit-scoring/german_credit.data', import.meta.url),
    'utf8',
  );
  const rows = text
    .trim()
    .split('\n')
    .map((line) => line.split(' '));
  const labels = rows.map((row) => (row[20] === '2' ? 1 : 0));
  const scores = rows.map((row) => {
    const z = 0.04 * (Number(row[1]) - 21) + 0.0001 * (Number(row[4]) - 3271) - 0.85;
    return 1 / (1 + Math.exp(-z));
  });
  return { labels, scores };
}

describe('computeMetrics', () => {
  it('matches sklearn on tied scores', () => {
    const metrics = computeMetrics(HAND_LABELS, HAND_SCORES, 0.4);
    expect(metrics.auc).toBeCloseTo(0.78, 14);
    expect(metrics.gini).toBeCloseTo(0.56, 14);
    expect(metrics.ks).toBeCloseTo(0.4, 14);
    expect(metrics.accuracy).toBeCloseTo(0.6, 14);
    expect(metrics.precision).toBeCloseTo(0.5714285714285714, 14);
    expect(metrics.recall).toBeCloseTo(0.8, 14);
    expect(metrics.f1).toBeCloseTo(0.6666666666666666, 14);
    expect(metrics.logLoss).toBeCloseTo(0.5071888593489031, 14);
    expect(metrics.brier).toBeCloseTo(0.17225, 14);
    expect(metrics.threshold).toBe(0.4);
    expect(metrics.rows).toBe(10);
    expect(metrics.positives).toBe(5);
  });

  it('matches sklearn on German credit', () => {
    const { labels, scores } = germanScores();
    const metrics = computeMetrics(labels, Float64Array.from(scores), 1 / 6);
    for (const [name, value] of Object.entries(GERMAN_EXPECTED)) {
      expect(metrics[name as keyof Metrics], name).toBeCloseTo(value, 12);
    }
    expect(metrics.gini).toBeCloseTo(2 * GERMAN_EXPECTED.auc - 1, 12);
    expect(metrics.rows).toBe(1000);
    expect(metrics.positives).toBe(300);
  });

  it('gives precision 0 when nothing is predicted positive', () => {
    const metrics = computeMetrics(HAND_LABELS, HAND_SCORES, 0.95);
    expect(metrics.precision).toBe(0);
    expect(metrics.recall).toBe(0);
    expect(metrics.f1).toBe(0);
    expect(metrics.accuracy).toBe(0.5);
  });

  it('keeps log loss finite at scores of 0 and 1', () => {
    // p = np.clip([0.0, 1.0], 1e-15, 1 - 1e-15); y = np.array([1, 0])
    // np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))) = 34.53917619362578
    const metrics = computeMetrics([1, 0], [0, 1], 0.5);
    expect(metrics.logLoss).toBeCloseTo(34.53917619362578, 10);
    expect(metrics.auc).toBe(0);
  });

  it('gives auc 0.5 when every score ties', () => {
    const metrics = computeMetrics([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3], 0.5);
    expect(metrics.auc).toBe(0.5);
    expect(metrics.ks).toBe(0);
  });

  it.each([
    [[0, 1], [0.5], 'cannot compute metrics: got 2 labels but 1 scores. Pass one score per label.'],
    [[], [], 'cannot compute metrics: there are no rows. Evaluate on a non-empty split.'],
    [[0, 2], [0.1, 0.2], 'cannot compute metrics: label at index 1 is 2, expected 0 or 1.'],
    [
      [0, 1],
      [0.1, Number.NaN],
      'cannot compute metrics: score at index 1 is NaN. Check the model output.',
    ],
    [
      [1, 1, 1],
      [0.1, 0.2, 0.3],
      'cannot compute metrics: all 3 labels are positive (1), so AUC is undefined. ' +
        'Evaluate on a split that contains both classes.',
    ],
  ])('rejects invalid input %#', (labels, scores, message) => {
    expect(() => computeMetrics(labels, scores, 0.5)).toThrow(new Error(message));
  });
});

describe('evaluateGates', () => {
  const metrics = computeMetrics(HAND_LABELS, HAND_SCORES, 0.4);

  it('passes and fails on bounds', () => {
    const results = evaluateGates(metrics, [
      { metric: 'auc', min: 0.7 },
      { metric: 'auc', min: 0.8 },
      { metric: 'brier', max: 0.2 },
      { metric: 'f1', min: 0.5, max: 0.6 },
    ]);
    expect(results.map((result) => result.passed)).toEqual([true, false, true, false]);
    expect(results[0]).toEqual({ metric: 'auc', value: metrics.auc, min: 0.7, passed: true });
    expect(results[2]).toEqual({ metric: 'brier', value: metrics.brier, max: 0.2, passed: true });
  });

  it('counts a value on the bound as passing', () => {
    const [result] = evaluateGates(metrics, [{ metric: 'recall', min: 0.8, max: 0.8 }]);
    expect(result!.passed).toBe(true);
  });
});

describe('rocCurve', () => {
  it('matches sklearn roc_curve points', () => {
    const points = rocCurve(HAND_LABELS, HAND_SCORES);
    expect(points).toHaveLength(HAND_ROC.length);
    points.forEach((point, i) => {
      expect(point.fpr).toBeCloseTo(HAND_ROC[i]![0]!, 14);
      expect(point.tpr).toBeCloseTo(HAND_ROC[i]![1]!, 14);
    });
  });

  it('thins to maxPoints keeping both ends', () => {
    const { labels, scores } = germanScores();
    const points = rocCurve(labels, scores, 25);
    expect(points).toHaveLength(25);
    expect(points[0]).toEqual({ fpr: 0, tpr: 0 });
    expect(points[24]).toEqual({ fpr: 1, tpr: 1 });
    for (let i = 1; i < points.length; i++) {
      expect(points[i]!.fpr).toBeGreaterThanOrEqual(points[i - 1]!.fpr);
      expect(points[i]!.tpr).toBeGreaterThanOrEqual(points[i - 1]!.tpr);
    }
  });

  it('rejects maxPoints below 2', () => {
    expect(() => rocCurve(HAND_LABELS, HAND_SCORES, 1)).toThrow(
      new RangeError('invalid maxPoints 1: a ROC curve needs an integer of at least 2'),
    );
  });
});
