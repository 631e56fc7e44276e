import * as tf from '@tensorflow/tfjs-core';

import { ValidationError, type FieldIssue } from './errors.js';
import { createRng, shuffleInPlace } from './rng.js';
// Registers the wasm and cpu backends, so training works before initTensorflow is called.
import './tf-backend.js';
import {
  SEED_STREAM,
  buildNetwork,
  mixSeed,
  readDenseModel,
  writeDenseModel,
  type Network,
} from './train-network.js';
import type { DenseModel, Matrix, TrialParams } from './types.js';

/** One finished epoch: training loss with the L2 penalty, and validation binary cross-entropy. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  validationLoss: number;
}

/**
 * A trial's state after an epoch, plain JSON so an activity can store it and a
 * retried trial can resume from it. Epochs count from 1, and epoch 0 in
 * `best` is the initial weights.
 */
export interface TrainingCheckpoint {
  /** The last finished epoch. */
  epoch: number;
  /** Weights after that epoch. */
  model: DenseModel;
  /** The epoch with the lowest validation loss so far, and its weights. */
  best: { epoch: number; validationLoss: number; model: DenseModel };
  history: EpochRecord[];
}

/** Progress passed to `onEpoch` after each epoch. */
export interface EpochProgress extends EpochRecord {
  /** The epoch limit from the trial parameters. */
  epochs: number;
  /**
   * Builds a checkpoint of the state after this epoch. It copies the current
   * weights, so call it only to store one and before the onEpoch promise
   * settles, because the next epoch changes the weights.
   */
  checkpoint: () => TrainingCheckpoint;
}

/** Data, parameters and hooks for one training run. Labels are 0 or 1, one per matrix row. */
export interface TrainModelInput {
  params: TrialParams;
  seed: number;
  train: Matrix;
  trainLabels: Float32Array | number[];
  validation: Matrix;
  validationLabels: Float32Array | number[];
  /** Epochs without a lower validation loss before training stops; 0 turns early stopping off. */
  patience: number;
  /** A checkpoint from an earlier attempt of the same trial; training continues after its epoch. */
  resume?: TrainingCheckpoint;
  /** Awaited after every epoch, so the caller can heartbeat and store checkpoints. */
  onEpoch?: (progress: EpochProgress) => Promise<void> | void;
  /** Checked before each epoch; once aborted, training throws TrainingAbortedError. */
  signal?: AbortSignal;
}

/** The trained model (best weights by validation loss) and how training went. */
export interface TrainModelResult {
  model: DenseModel;
  /** The last finished epoch, counting epochs run before a resume. */
  epochsRun: number;
  /** The epoch whose weights `model` holds; 0 when no epoch beat the initial weights. */
  bestEpoch: number;
  history: EpochRecord[];
  stoppedEarly: boolean;
}

/** Raised at an epoch boundary when the caller's AbortSignal has fired. */
export class TrainingAbortedError extends Error {
  override readonly name = 'AbortError';
}

/**
 * Trains a logistic regression or MLP with Adam on binary cross-entropy and
 * returns the weights with the lowest validation loss. The same seed, data
 * and parameters give the same weights on the same backend: initial weights,
 * each epoch's shuffle and each batch's dropout mask come from seeds derived
 * from `seed`, the epoch and the batch. It runs on the backend chosen by
 * initTensorflow, or on wasm when that was not called.
 *
 * @throws ValidationError when the data, labels or resume checkpoint do not fit the parameters.
 * @throws TrainingAbortedError when `signal` fires; the last `onEpoch` checkpoint stays valid.
 */
export async function trainModel(input: TrainModelInput): Promise<TrainModelResult> {
  checkInput(input);
  // Without an initTensorflow call this initialises the highest-priority backend, wasm.
  await tf.ready();
  const network = buildNetwork(input.params, input.seed, input.train.cols);
  const { data, rows, cols } = input.validation;
  const validation = tf.tensor2d(data, [rows, cols]);
  try {
    return await runEpochs(network, validation, input);
  } finally {
    validation.dispose();
    network.dispose();
  }
}

async function runEpochs(
  network: Network,
  validation: tf.Tensor2D,
  input: TrainModelInput,
): Promise<TrainModelResult> {
  const { epochs } = input.params;
  const state = startingState(network, validation, input);
  let stoppedEarly = false;

  for (let epoch = state.epoch + 1; epoch <= epochs; epoch++) {
    // Checked before the epoch, so that a run resumed from the checkpoint of
    // its stopping epoch stops again instead of training one more epoch.
    if (input.patience > 0 && state.epoch - state.best.epoch >= input.patience) {
      stoppedEarly = true;
      break;
    }
    throwIfAborted(input.signal, state.epoch, epochs);

    const loss = await trainEpoch(network, input, epoch);
    const validationLoss = validationLossOf(network, validation, input.validationLabels);
    recordEpoch(state, network, { epoch, loss, validationLoss });
    const snapshot = { ...state, history: [...state.history] };
    const checkpoint = () => checkpointOf(snapshot, network);
    await input.onEpoch?.({ epoch, epochs, loss, validationLoss, checkpoint });
  }
  return {
    model: state.best.model,
    epochsRun: state.epoch,
    bestEpoch: state.best.epoch,
    history: state.history,
    stoppedEarly,
  };
}

type TrainingState = Omit<TrainingCheckpoint, 'model'>;

function startingState(
  network: Network,
  validation: tf.Tensor2D,
  input: TrainModelInput,
): TrainingState {
  const { resume } = input;
  if (resume === undefined) {
    const validationLoss = validationLossOf(network, validation, input.validationLabels);
    const best = { epoch: 0, validationLoss, model: readDenseModel(network) };
    return { epoch: 0, best, history: [] };
  }

  // NOTE: the checkpoint contains weights only, so Adam's moment estimates and
  // step count restart on resume, and the resumed run can differ slightly
  // from an uninterrupted one.
  writeDenseModel(network, resume.model);
  return { epoch: resume.epoch, best: structuredClone(resume.best), history: [...resume.history] };
}

function recordEpoch(state: TrainingState, network: Network, record: EpochRecord): void {
  state.epoch = record.epoch;
  state.history.push(record);
  if (isImprovement(record.validationLoss, state.best.validationLoss)) {
    const { epoch, validationLoss } = record;
    state.best = { epoch, validationLoss, model: readDenseModel(network) };
  }
}

// A stored checkpoint may contain null where JSON could not carry NaN or Infinity.
function isImprovement(loss: number, best: number | null): boolean {
  if (!Number.isFinite(loss)) return false;
  return best === null || !Number.isFinite(best) || loss < best;
}

function checkpointOf(state: TrainingState, network: Network): TrainingCheckpoint {
  const { epoch, best, history } = state;
  return { epoch, model: readDenseModel(network), best, history };
}

/** Runs one epoch of mini-batches and returns the mean batch loss weighted by batch size. */
async function trainEpoch(
  network: Network,
  input: TrainModelInput,
  epoch: number,
): Promise<number> {
  const { train, trainLabels, params, seed } = input;
  const order = shuffleInPlace(
    Array.from({ length: train.rows }, (_, row) => row),
    createRng(mixSeed(seed, SEED_STREAM.shuffle, epoch)),
  );
  let weightedLoss = 0;

  for (let start = 0, batch = 0; start < order.length; start += params.batchSize, batch++) {
    const rows = order.slice(start, start + params.batchSize);
    network.reseedDropout((layer) => mixSeed(seed, SEED_STREAM.dropout, epoch, batch, layer));
    const x = tf.tensor2d(gatherRows(train, rows), [rows.length, train.cols]);
    const y = tf.tensor2d(Float32Array.from(rows, (row) => trainLabels[row]!), [rows.length, 1]);
    try {
      const loss = await network.model.trainOnBatch(x, y);
      weightedLoss += (typeof loss === 'number' ? loss : loss[0]!) * rows.length;
    } finally {
      tf.dispose([x, y]);
    }
  }
  return weightedLoss / train.rows;
}

function validationLossOf(
  network: Network,
  validation: tf.Tensor2D,
  labels: Float32Array | number[],
): number {
  const probabilities = tf.tidy(() => {
    const output = network.model.predict(validation) as tf.Tensor;
    return output.dataSync();
  });
  let total = 0;
  for (let row = 0; row < labels.length; row++) {
    // The same clipping as Keras' binary cross-entropy keeps log(0) out.
    const p = Math.min(Math.max(probabilities[row]!, 1e-7), 1 - 1e-7);
    total -= labels[row] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return total / labels.length;
}

function gatherRows(matrix: Matrix, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * matrix.cols);
  rows.forEach((row, index) => {
    out.set(matrix.data.subarray(row * matrix.cols, (row + 1) * matrix.cols), index * matrix.cols);
  });
  return out;
}

function throwIfAborted(
  signal: AbortSignal | undefined,
  finishedEpoch: number,
  epochs: number,
): void {
  if (signal?.aborted !== true) return;
  const message = `training aborted after epoch ${finishedEpoch} of ${epochs}`;
  throw new TrainingAbortedError(message, { cause: signal.reason });
}

function checkInput(input: TrainModelInput): void {
  const issues: FieldIssue[] = [
    ...matrixIssues('train', input.train, input.trainLabels),
    ...matrixIssues('validation', input.validation, input.validationLabels),
  ];
  const { train, validation, params, patience, resume } = input;
  if (validation.cols !== train.cols) {
    const message = `must equal train.cols (${train.cols})`;
    issues.push({ path: 'validation.cols', value: validation.cols, message });
  }
  issues.push(...integerIssue('params.epochs', params.epochs, 1));
  issues.push(...integerIssue('params.batchSize', params.batchSize, 1));
  issues.push(...integerIssue('patience', patience, 0));
  if (resume !== undefined) issues.push(...integerIssue('resume.epoch', resume.epoch, 0));
  if (issues.length > 0) throw new ValidationError('training input', issues);
}

function integerIssue(path: string, value: number, min: number): FieldIssue[] {
  if (Number.isInteger(value) && value >= min) return [];
  return [{ path, value, message: `must be an integer of at least ${min}` }];
}

function matrixIssues(name: string, matrix: Matrix, labels: Float32Array | number[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (matrix.rows < 1) {
    issues.push({ path: `${name}.rows`, value: matrix.rows, message: 'must be at least 1' });
  }
  if (matrix.data.length !== matrix.rows * matrix.cols) {
    const rule = `must have rows x cols = ${matrix.rows * matrix.cols} entries`;
    issues.push({ path: `${name}.data`, value: `${matrix.data.length} entries`, message: rule });
  }
  if (labels.length !== matrix.rows) {
    const message = `must have one label per row (${matrix.rows})`;
    issues.push({ path: `${name}Labels`, value: `${labels.length} labels`, message });
  }
  const badLabel = Array.from(labels).findIndex((label) => label !== 0 && label !== 1);
  if (badLabel >= 0) {
    const path = `${name}Labels.${badLabel}`;
    issues.push({ path, value: labels[badLabel], message: 'must be 0 or 1' });
  }
  return issues;
}
