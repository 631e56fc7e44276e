import { ValidationError, type FieldIssue } from './errors.js';
import type { DenseLayer, DenseModel, Matrix } from './types.js';

/**
 * Scores rows with a plain-JS forward pass: each layer computes
 * `activation(x · W + b)` in float64 and the output of the last layer is
 * returned, one value per row (a probability when the last activation is
 * sigmoid). This is the reference scorer that evaluation uses and that the
 * ONNX export must match.
 *
 * @throws ValidationError when the model's shapes are inconsistent or do not
 *   fit `x.cols`, or when the last layer has more than one unit.
 */
export function predictDense(model: DenseModel, x: Matrix): Float32Array {
  validateDenseModel(model, x.cols);
  const output = new Float32Array(x.rows);

  for (let row = 0; row < x.rows; row++) {
    const inputs = x.data.subarray(row * x.cols, (row + 1) * x.cols);
    let activations: Float64Array = Float64Array.from(inputs);
    for (const layer of model.layers) activations = forwardLayer(layer, activations);
    output[row] = activations[0]!;
  }
  return output;
}

/**
 * Checks the model's shapes. Every layer's weights must be `inputs x units`
 * and its bias must have `units` entries. Each layer's inputs must equal the
 * previous layer's units, and the last layer must have one unit. When
 * `inputs` is given, the first layer must take that many columns.
 *
 * @throws ValidationError listing every mismatch, with paths like `layers.1.weights`.
 */
export function validateDenseModel(model: DenseModel, inputs?: number): void {
  const issues: FieldIssue[] = [];
  const last = model.layers.at(-1);
  if (last === undefined) {
    issues.push({ path: 'layers', value: [], message: 'must contain at least one layer' });
  } else if (last.units !== 1) {
    const path = `layers.${model.layers.length - 1}.units`;
    issues.push({ path, value: last.units, message: 'must be 1 in the output layer' });
  }

  model.layers.forEach((layer, index) => {
    const expectedInputs = index === 0 ? inputs : model.layers[index - 1]!.units;
    issues.push(...layerIssues(layer, `layers.${index}`, expectedInputs));
  });
  if (issues.length > 0) throw new ValidationError('dense model', issues);
}

function layerIssues(
  layer: DenseLayer,
  path: string,
  expectedInputs: number | undefined,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (expectedInputs !== undefined && layer.inputs !== expectedInputs) {
    const message = `must be ${expectedInputs} to match the input width`;
    issues.push({ path: `${path}.inputs`, value: layer.inputs, message });
  }
  if (!Number.isInteger(layer.units) || layer.units < 1) {
    const message = 'must be a positive integer';
    issues.push({ path: `${path}.units`, value: layer.units, message });
  }
  if (layer.weights.length !== layer.inputs * layer.units) {
    const message = `must have inputs x units = ${layer.inputs * layer.units} entries`;
    issues.push({ path: `${path}.weights`, value: `${layer.weights.length} entries`, message });
  }
  if (layer.bias.length !== layer.units) {
    const message = `must have one entry per unit (${layer.units})`;
    issues.push({ path: `${path}.bias`, value: `${layer.bias.length} entries`, message });
  }
  if (!['relu', 'sigmoid', 'linear'].includes(layer.activation)) {
    const message = 'must be relu, sigmoid or linear';
    issues.push({ path: `${path}.activation`, value: layer.activation, message });
  }
  return issues;
}

function forwardLayer(layer: DenseLayer, input: Float64Array): Float64Array {
  const output = Float64Array.from(layer.bias);
  for (let i = 0; i < layer.inputs; i++) {
    const value = input[i]!;
    if (value === 0) continue;
    const rowOffset = i * layer.units;
    for (let unit = 0; unit < layer.units; unit++) {
      output[unit]! += value * layer.weights[rowOffset + unit]!;
    }
  }
  for (let unit = 0; unit < layer.units; unit++) {
    output[unit] = activate(layer.activation, output[unit]!);
  }
  return output;
}

function activate(activation: DenseLayer['activation'], z: number): number {
  if (activation === 'relu') return z > 0 ? z : 0;
  if (activation === 'sigmoid') return 1 / (1 + Math.exp(-z));
  return z;
}
