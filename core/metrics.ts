import type { QualityGate } from './spec.js';
import type { GateResult, Metrics } from './types.js';

/** Scores are clipped to [LOG_LOSS_EPSILON, 1 - LOG_LOSS_EPSILON] so that log loss stays finite. */
const LOG_LOSS_EPSILON = 1e-15;
const DEFAULT_ROC_POINTS = 200;

/** One point of a ROC curve: false and true positive rates at some threshold. */
export interface RocPoint {
  fpr: number;
  tpr: number;
}

/**
 * Computes binary classification metrics for 0/1 labels and scores in [0, 1].
 * AUC is the Mann-Whitney statistic with tied scores given their average
 * rank. KS is the max |TPR - FPR| over all score thresholds, and gini is
 * 2 * auc - 1. Accuracy, precision, recall and f1 predict positive at
 * `score >= threshold`, and precision (and so f1) is 0 when nothing is
 * predicted positive. Log loss clips scores to [1e-15, 1 - 1e-15], and brier
 * is the mean squared error of the scores.
 *
 * Throws Error when lengths differ, the input is empty, a label is not 0 or
 * 1, a score is NaN, or one class is absent (AUC is then undefined).
 */
export function computeMetrics(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold: number,
): Metrics {
  const positives = checkInputs(labels, scores);
  const auc = areaUnderRoc(labels, scores, positives);
  const confusion = confusionAt(labels, scores, threshold);
  const precision =
    confusion.tp + confusion.fp === 0 ? 0 : confusion.tp / (confusion.tp + confusion.fp);
  const recall = confusion.tp / positives;

  return {
    auc,
    ks: rocPoints(labels, scores, positives).reduce(
      (max, point) => Math.max(max, Math.abs(point.tpr - point.fpr)),
      0,
    ),
    gini: 2 * auc - 1,
    accuracy: (confusion.tp + confusion.tn) / labels.length,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    logLoss: logLoss(labels, scores),
    brier: meanOver(labels.length, (i) => (scores[i]! - labels[i]!) ** 2),
    threshold,
    rows: labels.length,
    positives,
  };
}

/**
 * Checks each gate against the metrics. A gate passes when the value is at
 * least `min` and at most `max`, for those bounds that are set. A NaN value
 * fails every gate.
 */
export function evaluateGates(metrics: Metrics, gates: QualityGate[]): GateResult[] {
  return gates.map((gate) => {
    const value = metrics[gate.metric];
    const aboveMin = gate.min === undefined || value >= gate.min;
    const belowMax = gate.max === undefined || value <= gate.max;
    const result: GateResult = { metric: gate.metric, value, passed: aboveMin && belowMax };
    if (gate.min !== undefined) result.min = gate.min;
    if (gate.max !== undefined) result.max = gate.max;
    return result;
  });
}

/**
 * Computes the ROC curve from (0, 0) to (1, 1), one point per distinct score,
 * thinned to at most `maxPoints` (>= 2) evenly spaced points that keep both
 * ends. Throws like `computeMetrics` on invalid input.
 */
export function rocCurve(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  maxPoints = DEFAULT_ROC_POINTS,
): RocPoint[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new RangeError(
      `invalid maxPoints ${maxPoints}: a ROC curve needs an integer of at least 2`,
    );
  }
  const points = rocPoints(labels, scores, checkInputs(labels, scores));
  if (points.length <= maxPoints) return points;
  return Array.from(
    { length: maxPoints },
    (_, k) => points[Math.round((k * (points.length - 1)) / (maxPoints - 1))]!,
  );
}

/** Validates the inputs and returns the number of positive labels. */
function checkInputs(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  if (labels.length !== scores.length) {
    throw new Error(
      `cannot compute metrics: got ${labels.length} labels but ${scores.length} scores. ` +
        'Pass one score per label.',
    );
  }
  if (labels.length === 0) {
    throw new Error('cannot compute metrics: there are no rows. Evaluate on a non-empty split.');
  }

  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label !== 0 && label !== 1) {
      throw new Error(`cannot compute metrics: label at index ${i} is ${label}, expected 0 or 1.`);
    }
    if (Number.isNaN(scores[i])) {
      throw new Error(
        `cannot compute metrics: score at index ${i} is NaN. Check the model output.`,
      );
    }
    positives += label;
  }
  if (positives === 0 || positives === labels.length) {
    const present = positives === 0 ? 'negative (0)' : 'positive (1)';
    throw new Error(
      `cannot compute metrics: all ${labels.length} labels are ${present}, so AUC is undefined. ` +
        'Evaluate on a split that contains both classes.',
    );
  }
  return positives;
}

/** Returns row indices ordered by ascending score. */
function orderByScore(scores: ArrayLike<number>): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  // Equal infinities subtract to NaN, which sort() treats as equal, so the order stays valid.
  return order.sort((a, b) => scores[a]! - scores[b]!);
}

function areaUnderRoc(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  positives: number,
): number {
  const order = orderByScore(scores);
  let positiveRankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    // Ranks are 1-based, and tied scores share the mean of the ranks they span.
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) positiveRankSum += labels[order[k]!]! * averageRank;
    start = end + 1;
  }
  const negatives = labels.length - positives;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Walks thresholds from the highest score down, adding one point per distinct score. */
function rocPoints(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  positives: number,
): RocPoint[] {
  const order = orderByScore(scores).reverse();
  const negatives = labels.length - positives;
  const points: RocPoint[] = [{ fpr: 0, tpr: 0 }];
  let truePositives = 0;
  let falsePositives = 0;

  for (let k = 0; k < order.length; k++) {
    if (labels[order[k]!] === 1) truePositives++;
    else falsePositives++;
    const tiedWithNext = k + 1 < order.length && scores[order[k + 1]!] === scores[order[k]!];
    if (!tiedWithNext) {
      points.push({ fpr: falsePositives / negatives, tpr: truePositives / positives });
    }
  }
  return points;
}

function confusionAt(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number) {
  const counts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const predicted = scores[i]! >= threshold;
    if (labels[i] === 1) {
      if (predicted) counts.tp++;
      else counts.fn++;
    } else if (predicted) counts.fp++;
    else counts.tn++;
  }
  return counts;
}

function logLoss(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  return meanOver(labels.length, (i) => {
    const p = Math.min(Math.max(scores[i]!, LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON);
    return labels[i] === 1 ? -Math.log(p) : -Math.log(1 - p);
  });
}

function meanOver(count: number, term: (index: number) => number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += term(i);
  return sum / count;
}
