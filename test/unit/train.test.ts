import { readFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { parseDelimited } from '../../core/csv.js';
import { buildTypedDataset } from '../../core/dataset.js';
import { predictDense } from '../../core/dense.js';
import { ValidationError } from '../../core/errors.js';
import { computeMetrics } from '../../core/metrics.js';
import { fitPreprocessor, transformRows } from '../../core/preprocess.js';
import { createRng } from '../../core/rng.js';
import { ProjectSpecSchema } from '../../core/spec.js';
import { stratifiedSplit } from '../../core/split.js';
import { initTensorflow } from '../../core/tf-backend.js';
import {
  TrainingAbortedError,
  trainModel,
  type EpochProgress,
  type TrainModelInput,
  type TrainingCheckpoint,
} from '../../core/train.js';
import type { Matrix, TrialParams } from '../../core/types.js';

const FEATURES = 5;
const TRUE_WEIGHTS = [1.5, -2, 1, 0.5, -1];

/** Rows uniform in [-1, 1]^5, labelled by the sign of a fixed linear score, so they are separable. */
function separable(rows: number, seed: number): { x: Matrix; y: number[] } {
  const rng = createRng(seed);
  const data = new Float32Array(rows * FEATURES);
  const y: number[] = [];
  for (let row = 0; row < rows; row++) {
    let score = 0.2;
    for (let col = 0; col < FEATURES; col++) {
      const value = rng.next() * 2 - 1;
      data[row * FEATURES + col] = value;
      score += value * TRUE_WEIGHTS[col]!;
    }
    y.push(score > 0 ? 1 : 0);
  }
  return { x: { rows, cols: FEATURES, data }, y };
}

const train = separable(400, 1);
const validation = separable(200, 2);

const logistic: TrialParams = {
  family: 'logistic_regression',
  learningRate: 0.05,
  l2: 0.001,
  epochs: 30,
  batchSize: 32,
};
const mlp: TrialParams = {
  family: 'mlp',
  hiddenUnits: [8, 4],
  dropout: 0.2,
  learningRate: 0.01,
  l2: 0.0001,
  epochs: 10,
  batchSize: 32,
};

function input(overrides: Partial<TrainModelInput> = {}): TrainModelInput {
  return {
    params: logistic,
    seed: 11,
    train: train.x,
    trainLabels: train.y,
    validation: validation.x,
    validationLabels: validation.y,
    patience: 0,
    ...overrides,
  };
}

function binaryCrossEntropy(labels: number[], scores: Float32Array): number {
  let total = 0;
  labels.forEach((label, i) => {
    const p = Math.min(Math.max(scores[i]!, 1e-7), 1 - 1e-7);
    total -= label === 1 ? Math.log(p) : Math.log(1 - p);
  });
  return total / labels.length;
}

beforeAll(async () => {
  await initTensorflow('wasm');
});

describe('initTensorflow', () => {
  it('defaults to wasm on every call', async () => {
    expect(await initTensorflow()).toEqual({ backend: 'wasm' });
    expect(await initTensorflow('wasm')).toEqual({ backend: 'wasm' });
  });

  it('falls back from native with reason', async () => {
    const choice = await initTensorflow('tensorflow');

    expect(choice.backend).toBe('wasm');
    expect(choice.fellBackFrom).toBe('tensorflow');
    expect(choice.reason).toContain('@tensorflow/tfjs-node could not be loaded');
  });

  it('switches to cpu when asked', async () => {
    try {
      expect(await initTensorflow('cpu')).toEqual({ backend: 'cpu' });
    } finally {
      await initTensorflow('wasm');
    }
  });
});

describe('trainModel', () => {
  it('separates a linearly separable set', async () => {
    const result = await trainModel(input());

    const scores = predictDense(result.model, validation.x);
    expect(computeMetrics(validation.y, scores, 0.5).auc).toBeGreaterThan(0.95);
  });

  it('returns best weights as DenseModel', async () => {
    const result = await trainModel(input({ params: mlp }));

    const best = result.history.find((record) => record.epoch === result.bestEpoch)!;
    const scores = predictDense(result.model, validation.x);
    expect(binaryCrossEntropy(validation.y, scores)).toBeCloseTo(best.validationLoss, 5);
    const shapes = result.model.layers.map((layer) => [layer.inputs, layer.units, layer.activation]);
    expect(shapes).toEqual([
      [5, 8, 'relu'],
      [8, 4, 'relu'],
      [4, 1, 'sigmoid'],
    ]);
  });

  it('repeats weights for a seed', async () => {
    const first = await trainModel(input({ params: mlp, seed: 5 }));
    const second = await trainModel(input({ params: mlp, seed: 5 }));

    expect(second.model).toEqual(first.model);
    expect(second.history).toEqual(first.history);
  });

  it('varies weights with the seed', async () => {
    const first = await trainModel(input({ params: mlp, seed: 5 }));
    const other = await trainModel(input({ params: mlp, seed: 6 }));

    expect(other.model).not.toEqual(first.model);
  });

  it('calls onEpoch once per epoch', async () => {
    const seen: Pick<EpochProgress, 'epoch' | 'epochs'>[] = [];

    const onEpoch = ({ epoch, epochs }: EpochProgress) => void seen.push({ epoch, epochs });

    const result = await trainModel(input({ onEpoch }));

    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => ({ epoch: i + 1, epochs: 30 })));
    expect(result.epochsRun).toBe(30);
    expect(result.stoppedEarly).toBe(false);
  });

  it('stops early once validation loss stalls', async () => {
    // A high learning rate overfits the tiny training set quickly, so validation loss turns up.
    const params: TrialParams = {
      ...mlp,
      hiddenUnits: [32],
      dropout: 0,
      learningRate: 0.05,
      l2: 0,
      epochs: 200,
    };
    const small = separable(40, 3);
    let last: TrainingCheckpoint | undefined;
    const onEpoch = ({ checkpoint }: EpochProgress) => void (last = checkpoint());
    const stalling = input({ params, train: small.x, trainLabels: small.y, patience: 5 });

    const result = await trainModel({ ...stalling, onEpoch });

    expect(result.stoppedEarly).toBe(true);
    expect(result.epochsRun).toBeLessThan(200);
    expect(result.epochsRun - result.bestEpoch).toBe(5);
    const bestLoss = Math.min(...result.history.map((record) => record.validationLoss));
    const best = result.history.find((record) => record.epoch === result.bestEpoch);
    expect(best?.validationLoss).toBe(bestLoss);
    expect(last?.epoch).toBe(result.epochsRun);
  });

  it('stays stopped when resumed', async () => {
    const params: TrialParams = { ...logistic, epochs: 50 };
    let last: TrainingCheckpoint | undefined;
    const stopped = await trainModel(
      input({ params, patience: 1, onEpoch: ({ checkpoint }) => void (last = checkpoint()) }),
    );
    const resumedEpochs: number[] = [];

    const onEpoch = ({ epoch }: EpochProgress) => void resumedEpochs.push(epoch);

    const resumed = await trainModel(input({ params, patience: 1, resume: last!, onEpoch }));

    expect(stopped.stoppedEarly).toBe(true);
    expect(resumedEpochs).toEqual([]);
    expect(resumed.stoppedEarly).toBe(true);
    expect(resumed.epochsRun).toBe(stopped.epochsRun);
    expect(resumed.model).toEqual(stopped.model);
  });

  it('resumes after the checkpoint epoch', async () => {
    let stored: TrainingCheckpoint | undefined;
    const full = await trainModel(
      input({
        onEpoch: ({ epoch, checkpoint }) => {
          // A JSON round trip is how an activity would store the checkpoint.
          if (epoch === 12) stored = JSON.parse(JSON.stringify(checkpoint())) as TrainingCheckpoint;
        },
      }),
    );
    const resumedEpochs: number[] = [];

    const onEpoch = ({ epoch }: EpochProgress) => void resumedEpochs.push(epoch);

    const resumed = await trainModel(input({ resume: stored!, onEpoch }));

    expect(resumedEpochs).toEqual(Array.from({ length: 18 }, (_, i) => i + 13));
    expect(resumed.epochsRun).toBe(30);
    expect(resumed.history).toHaveLength(30);
    expect(resumed.history.slice(0, 12)).toEqual(full.history.slice(0, 12));
    // Adam's moments restart, so later epochs are close to the uninterrupted run but not equal.
    expect(resumed.history[12]!.validationLoss).toBeCloseTo(full.history[12]!.validationLoss, 1);
  });

  it('keeps the stored best weights', async () => {
    const checkpoints: TrainingCheckpoint[] = [];
    const onEpoch = ({ checkpoint }: EpochProgress) => void checkpoints.push(checkpoint());
    await trainModel(input({ params: { ...logistic, epochs: 5 }, onEpoch }));
    const last = checkpoints.at(-1)!;

    const resumed = await trainModel(input({ params: { ...logistic, epochs: 5 }, resume: last }));

    expect(resumed.epochsRun).toBe(5);
    expect(resumed.bestEpoch).toBe(last.best.epoch);
    expect(resumed.model).toEqual(last.best.model);
  });

  it('aborts at an epoch boundary', async () => {
    const controller = new AbortController();
    const epochs: number[] = [];

    const run = trainModel(
      input({
        signal: controller.signal,
        onEpoch: ({ epoch }) => {
          epochs.push(epoch);
          if (epoch === 3) controller.abort(new Error('activity cancelled'));
        },
      }),
    );

    await expect(run).rejects.toThrow(TrainingAbortedError);
    await expect(run).rejects.toMatchObject({
      name: 'AbortError',
      message: 'training aborted after epoch 3 of 30',
    });
    expect(epochs).toEqual([1, 2, 3]);
  });

  it('releases every tensor it creates', async () => {
    await trainModel(input({ params: { ...mlp, epochs: 2 } }));
    const before = tf.memory().numTensors;

    await trainModel(input({ params: { ...mlp, epochs: 3 } }));

    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects labels other than 0/1', async () => {
    const labels = [...train.y];
    labels[7] = 2;

    const run = trainModel(input({ trainLabels: labels }));

    await expect(run).rejects.toThrow(ValidationError);
    await expect(run).rejects.toThrow('trainLabels.7: must be 0 or 1 (got 2)');
  });

  it('rejects a checkpoint of another architecture', async () => {
    const checkpoints: TrainingCheckpoint[] = [];
    const onEpoch = ({ checkpoint }: EpochProgress) => void checkpoints.push(checkpoint());
    await trainModel(input({ params: { ...logistic, epochs: 1 }, onEpoch }));

    const run = trainModel(input({ params: mlp, resume: checkpoints[0]! }));

    await expect(run).rejects.toThrow('resume.model.layers.0: must be a 5x8 layer (got "5x1")');
  });
});

describe('trainModel on German credit', () => {
  const directory = new URL('../../examples/credit-scoring/', import.meta.url);

  function loadGermanCredit() {
    const data = ProjectSpecSchema.shape.data.parse({
      source: { type: 'file', path: 'german_credit.data' },
      format: { delimiter: ' ', header: false },
      target: { column: 'class', positiveClass: '2' },
    });
    const columns = readFileSync(new URL('german_credit.columns.txt', directory), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
    const text = readFileSync(new URL('german_credit.data', directory), 'utf8');
    const format = { delimiter: ' ', quote: '"', header: false, skipLines: 0 };
    const parsed = parseDelimited(text, format);
    const dataset = buildTypedDataset(parsed, data, columns);
    const split = stratifiedSplit(dataset.labels, { train: 0.6, validation: 0.2, test: 0.2 }, 42);
    const pre = fitPreprocessor(dataset, split.train, data.preprocessing);
    const encode = (rows: number[]) => ({
      x: transformRows(dataset, rows, pre),
      y: rows.map((row) => dataset.labels[row]!),
    });
    return {
      train: encode(split.train),
      validation: encode(split.validation),
      test: encode(split.test),
    };
  }

  it('reaches test AUC 0.74 with LR', async () => {
    const german = loadGermanCredit();
    const params: TrialParams = {
      family: 'logistic_regression',
      learningRate: 0.05,
      l2: 0.001,
      epochs: 100,
      batchSize: 64,
    };

    const result = await trainModel({
      params,
      seed: 7,
      train: german.train.x,
      trainLabels: german.train.y,
      validation: german.validation.x,
      validationLabels: german.validation.y,
      patience: 15,
    });

    const auc = computeMetrics(german.test.y, predictDense(result.model, german.test.x), 0.5).auc;
    expect(auc).toBeGreaterThanOrEqual(0.74);
  });
});
