import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { validateDenseModel } from './dense.js';
import { ValidationError, type FieldIssue } from './errors.js';
import { createRng } from './rng.js';
import type { DenseLayer, DenseModel, TrialParams } from './types.js';

/** Tags mixed into derived seeds, so initialisation, shuffling and dropout get different seeds. */
export const SEED_STREAM = { init: 1, shuffle: 2, dropout: 3 } as const;

/** A compiled Keras-style model and handles to the layers that training reads and changes. */
export interface Network {
  model: tfl.Sequential;
  dense: { layer: tfl.layers.Layer; activation: DenseLayer['activation'] }[];
  family: TrialParams['family'];
  reseedDropout: (seedOf: (layerIndex: number) => number) => void;
  dispose: () => void;
}

/**
 * Dropout whose mask seed is set before every batch. The stock Dropout layer
 * of tfjs-layers 4.22 passes one fixed seed to every call, which would drop
 * the same units in every batch of the same size.
 */
class BatchSeededDropout extends tfl.layers.Layer {
  static readonly className = 'BatchSeededDropout';
  batchSeed = 0;

  constructor(private readonly rate: number) {
    super({});
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const input = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs['training'] !== true || this.rate === 0) return input;
    return tf.dropout(input, this.rate, undefined, this.batchSeed);
  }
}

/**
 * Builds and compiles the network for a trial. An MLP gets one relu layer per
 * entry of `hiddenUnits`, each followed by dropout when `dropout` > 0, and
 * then one sigmoid unit. A logistic regression is the sigmoid unit alone.
 * Every kernel gets an L2 penalty and a Glorot-uniform initialiser seeded
 * from `seed` and the layer index. Call `dispose` when done.
 */
export function buildNetwork(params: TrialParams, seed: number, inputs: number): Network {
  const model = tfl.sequential();
  const dense: Network['dense'] = [];
  const dropouts: BatchSeededDropout[] = [];
  const regularizer = () => tfl.regularizers.l2({ l2: params.l2 });
  const addDense = (units: number, activation: DenseLayer['activation']) => {
    const initSeed = mixSeed(seed, SEED_STREAM.init, dense.length);
    const layer = tfl.layers.dense({
      units,
      activation,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: initSeed }),
      kernelRegularizer: regularizer(),
      inputShape: dense.length === 0 ? [inputs] : undefined,
    });
    model.add(layer);
    dense.push({ layer, activation });
  };

  for (const units of params.family === 'mlp' ? params.hiddenUnits : []) {
    addDense(units, 'relu');
    if (params.family === 'mlp' && params.dropout > 0) {
      dropouts.push(new BatchSeededDropout(params.dropout));
      model.add(dropouts.at(-1)!);
    }
  }
  addDense(1, 'sigmoid');

  const optimizer = tf.train.adam(params.learningRate);
  model.compile({ optimizer, loss: 'binaryCrossentropy' });
  return {
    model,
    dense,
    family: params.family,
    reseedDropout: (seedOf) => {
      dropouts.forEach((layer, index) => (layer.batchSeed = seedOf(index)));
    },
    dispose: () => {
      model.dispose();
      optimizer.dispose();
    },
  };
}

/** Copies the network's current weights into a DenseModel; dropout layers have none. */
export function readDenseModel(network: Network): DenseModel {
  const layers = network.dense.map(({ layer, activation }): DenseLayer => {
    // getWeights returns the layer's own variables, so they must not be disposed.
    const [kernel, bias] = layer.getWeights();
    const [inputs, units] = kernel!.shape as [number, number];
    const weights = Array.from(kernel!.dataSync());
    return { inputs, units, weights, bias: Array.from(bias!.dataSync()), activation };
  });
  return { family: network.family, layers };
}

/**
 * Loads a DenseModel's weights into the network.
 *
 * @throws ValidationError when the model is malformed or a layer's shape
 *   differs from the network's.
 */
export function writeDenseModel(network: Network, model: DenseModel): void {
  validateDenseModel(model);
  const issues = network.dense.flatMap(({ layer }, index): FieldIssue[] => {
    const stored = model.layers[index];
    const [inputs, units] = layer.getWeights()[0]!.shape as [number, number];
    if (stored?.inputs === inputs && stored.units === units) return [];
    const value = stored && `${stored.inputs}x${stored.units}`;
    const message = `must be a ${inputs}x${units} layer`;
    return [{ path: `resume.model.layers.${index}`, value, message }];
  });
  if (model.layers.length !== network.dense.length) {
    const message = `must have ${network.dense.length} dense layers`;
    issues.push({ path: 'resume.model.layers', value: `${model.layers.length} layers`, message });
  }
  if (issues.length > 0) throw new ValidationError('training input', issues);

  tf.tidy(() => {
    network.dense.forEach(({ layer }, index) => {
      const { inputs, units, weights, bias } = model.layers[index]!;
      layer.setWeights([tf.tensor2d(weights, [inputs, units]), tf.tensor1d(bias)]);
    });
  });
}

/** Derives a 32-bit seed from the trial seed and a list of counters, the same on every run. */
export function mixSeed(seed: number, ...counters: number[]): number {
  let state = seed >>> 0;
  for (const counter of counters) {
    state = createRng((state ^ Math.imul(counter + 1, 0x9e3779b9)) >>> 0).int(2 ** 32);
  }
  return state;
}
