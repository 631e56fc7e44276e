import { describe, expect, it } from 'vitest';

import { predictDense, validateDenseModel } from '../../core/dense.js';
import { ValidationError, type FieldIssue } from '../../core/errors.js';
import type { DenseModel, Matrix } from '../../core/types.js';

const matrix = (rows: number[][]): Matrix => ({
  rows: rows.length,
  cols: rows[0]?.length ?? 0,
  data: Float32Array.from(rows.flat()),
});

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function issuesOf(model: DenseModel, inputs?: number): FieldIssue[] {
  try {
    validateDenseModel(model, inputs);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected validateDenseModel to throw');
}

describe('predictDense', () => {
  it('computes a logistic regression by hand', () => {
    const model: DenseModel = {
      family: 'logistic_regression',
      layers: [{ inputs: 3, units: 1, weights: [0.4, -0.5, 0.25], bias: [-1], activation: 'sigmoid' }],
    };

    const [p] = predictDense(model, matrix([[3.5, 0, 1]]));

    // logit = 0.4 * 3.5 + (-0.5) * 0 + 0.25 * 1 + (-1) = 1.4 + 0 + 0.25 - 1 = 0.65
    // p = 1 / (1 + e^-0.65) = 1 / (1 + 0.5220458) = 0.6570105
    expect(p).toBeCloseTo(0.6570105, 6);
  });

  it('applies relu with row-major weights', () => {
    // Weights are inputs x units, row-major: row i contains input i's weight for each unit.
    const model: DenseModel = {
      family: 'mlp',
      layers: [
        { inputs: 2, units: 2, weights: [1, -1, 2, 0.5], bias: [0, 0.5], activation: 'relu' },
        { inputs: 2, units: 1, weights: [0.3, -0.7], bias: [0.1], activation: 'sigmoid' },
      ],
    };

    const scores = predictDense(model, matrix([[1, 2], [-3, 1]]));

    // Row 1: hidden = relu([1*1 + 2*2 + 0, 1*-1 + 2*0.5 + 0.5]) = relu([5, 0.5]) = [5, 0.5]
    //        logit = 0.3*5 - 0.7*0.5 + 0.1 = 1.25
    // Row 2: hidden = relu([-3 + 2, 3 + 0.5 + 0.5]) = relu([-1, 4]) = [0, 4]
    //        logit = 0 - 0.7*4 + 0.1 = -2.7
    expect(scores[0]).toBeCloseTo(sigmoid(1.25), 6);
    expect(scores[1]).toBeCloseTo(sigmoid(-2.7), 6);
  });

  it('passes a linear output through unchanged', () => {
    const model: DenseModel = {
      family: 'logistic_regression',
      layers: [{ inputs: 2, units: 1, weights: [2, 3], bias: [1], activation: 'linear' }],
    };

    expect(Array.from(predictDense(model, matrix([[1, 1], [0, -1]])))).toEqual([6, -2]);
  });

  it('propagates NaN inputs', () => {
    const model: DenseModel = {
      family: 'logistic_regression',
      layers: [{ inputs: 1, units: 1, weights: [1], bias: [0], activation: 'sigmoid' }],
    };

    expect(predictDense(model, matrix([[Number.NaN]]))[0]).toBeNaN();
  });

  it('returns an empty result for no rows', () => {
    const model: DenseModel = {
      family: 'logistic_regression',
      layers: [{ inputs: 2, units: 1, weights: [1, 1], bias: [0], activation: 'sigmoid' }],
    };

    expect(predictDense(model, { rows: 0, cols: 2, data: new Float32Array(0) })).toHaveLength(0);
  });

  it('rejects a matrix of the wrong width', () => {
    const model: DenseModel = {
      family: 'logistic_regression',
      layers: [{ inputs: 2, units: 1, weights: [1, 1], bias: [0], activation: 'sigmoid' }],
    };

    expect(() => predictDense(model, matrix([[1, 2, 3]]))).toThrow(
      'dense model is invalid: layers.0.inputs: must be 3 to match the input width (got 2)',
    );
  });
});

describe('validateDenseModel', () => {
  it('accepts a consistent model', () => {
    const model: DenseModel = {
      family: 'mlp',
      layers: [
        { inputs: 3, units: 2, weights: [1, 2, 3, 4, 5, 6], bias: [0, 0], activation: 'relu' },
        { inputs: 2, units: 1, weights: [1, 1], bias: [0], activation: 'sigmoid' },
      ],
    };

    expect(() => validateDenseModel(model, 3)).not.toThrow();
  });

  it('rejects a model without layers', () => {
    expect(issuesOf({ family: 'mlp', layers: [] })).toEqual([
      { path: 'layers', value: [], message: 'must contain at least one layer' },
    ]);
  });

  it('rejects a weight count that is not inputs x units', () => {
    const model: DenseModel = {
      family: 'logistic_regression',
      layers: [{ inputs: 3, units: 1, weights: [1, 2], bias: [0], activation: 'sigmoid' }],
    };

    expect(issuesOf(model)).toEqual([
      { path: 'layers.0.weights', value: '2 entries', message: 'must have inputs x units = 3 entries' },
    ]);
  });

  it('rejects a bias of the wrong length', () => {
    const model: DenseModel = {
      family: 'logistic_regression',
      layers: [{ inputs: 1, units: 1, weights: [1], bias: [0, 1], activation: 'sigmoid' }],
    };

    expect(issuesOf(model)).toEqual([
      { path: 'layers.0.bias', value: '2 entries', message: 'must have one entry per unit (1)' },
    ]);
  });

  it('rejects layers that do not chain', () => {
    const model: DenseModel = {
      family: 'mlp',
      layers: [
        { inputs: 1, units: 2, weights: [1, 1], bias: [0, 0], activation: 'relu' },
        { inputs: 3, units: 1, weights: [1, 1, 1], bias: [0], activation: 'sigmoid' },
      ],
    };

    expect(issuesOf(model)).toEqual([
      { path: 'layers.1.inputs', value: 3, message: 'must be 2 to match the input width' },
    ]);
  });

  it('rejects an output layer with several units', () => {
    const model: DenseModel = {
      family: 'mlp',
      layers: [{ inputs: 1, units: 2, weights: [1, 1], bias: [0, 0], activation: 'sigmoid' }],
    };

    expect(issuesOf(model)).toEqual([{ path: 'layers.0.units', value: 2, message: 'must be 1 in the output layer' }]);
  });

  it('rejects an unknown activation', () => {
    const model = {
      family: 'logistic_regression',
      layers: [{ inputs: 1, units: 1, weights: [1], bias: [0], activation: 'tanh' }],
    } as unknown as DenseModel;

    expect(issuesOf(model)).toEqual([
      { path: 'layers.0.activation', value: 'tanh', message: 'must be relu, sigmoid or linear' },
    ]);
  });
});
