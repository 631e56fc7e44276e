import { validateDenseModel } from '../dense.js';
import { ValidationError, type FieldIssue } from '../errors.js';
import type {
  CategoricalTransform,
  DenseLayer,
  DenseModel,
  FittedPreprocessor,
  NumericTransform,
} from '../types.js';
import { ELEMENT_TYPE, GraphBuilder, ML_DOMAIN, encodeModel } from './graph.js';

/** The graph's only output: one probability per row, float32 [N, 1]. */
export const PROBABILITY_OUTPUT = 'probability';

/** Identifies the exported model in the ONNX metadata. */
export interface OnnxExportMeta {
  modelVersion: string;
  projectId: string;
  /** The Fullcycle version that wrote the file. */
  producerVersion: string;
}

type Transform = NumericTransform | CategoricalTransform;

/**
 * Writes the model and its preprocessing as one ONNX file (IR version 8,
 * opsets `''` 13 and `ai.onnx.ml` 3) that scores raw feature values.
 *
 * The graph has one input per feature of `pre.inputOrder`, named after it
 * and shaped [N, 1]. Numeric inputs are float32 with NaN for a missing
 * value. Categorical inputs are strings that the caller has already imputed.
 * Numeric features run Imputer, Clip (when a bound is set) and Scaler.
 * Categorical features run OneHotEncoder, which encodes a level not seen in
 * training as all zeros, and Flatten. The encoded columns are concatenated
 * in `pre.encodedNames` order and go through one Gemm per dense layer with
 * its Relu or Sigmoid. The output `probability` is float32 [N, 1]. The
 * metadata contains `modelVersion`, `projectId`, `family`, `features` (the
 * input order as JSON) and `encodedNames`.
 *
 * @throws ValidationError when the model does not fit `pre.encodedNames`, or
 *   when `encodedNames` and the transforms disagree.
 */
export function exportToOnnx(
  model: DenseModel,
  pre: FittedPreprocessor,
  meta: OnnxExportMeta,
): Uint8Array {
  validateDenseModel(model, pre.encodedNames.length);
  const builder = new GraphBuilder();

  for (const { name, type } of pre.inputOrder) {
    builder.input(name, type === 'numeric' ? ELEMENT_TYPE.FLOAT : ELEMENT_TYPE.STRING);
  }
  const encodedParts = encodingBlocks(pre).map((block, index) =>
    'mean' in block ? addNumeric(builder, block, index) : addCategorical(builder, block, index),
  );
  let current = builder.node('Concat', encodedParts, 'encoded', [{ name: 'axis', int: 1 }]);
  model.layers.forEach((layer, index) => {
    current = addDenseLayer(builder, layer, index, current, index === model.layers.length - 1);
  });
  builder.output(PROBABILITY_OUTPUT, ELEMENT_TYPE.FLOAT);

  return encodeModel(builder, metadata(model, pre, meta), meta.producerVersion);
}

/** Adds Gemm and the activation for one layer; the last layer's output is `probability`. */
function addDenseLayer(
  builder: GraphBuilder,
  layer: DenseLayer,
  index: number,
  input: string,
  isLast: boolean,
): string {
  const prefix = `layer${index}`;
  const { inputs, units, activation } = layer;
  const weights = builder.floatInitializer(`${prefix}/weights`, [inputs, units], layer.weights);
  const bias = builder.floatInitializer(`${prefix}/bias`, [units], layer.bias);
  const outputName = (suffix: string) => (isLast ? PROBABILITY_OUTPUT : `${prefix}/${suffix}`);
  if (activation === 'linear') {
    return builder.node('Gemm', [input, weights, bias], outputName('linear'));
  }

  const linear = builder.node('Gemm', [input, weights, bias], `${prefix}/linear`);
  return builder.node(activation === 'relu' ? 'Relu' : 'Sigmoid', [linear], outputName(activation));
}

function addNumeric(builder: GraphBuilder, transform: NumericTransform, index: number): string {
  const prefix = `numeric${index}`;
  let current = builder.node(
    'Imputer',
    [transform.name],
    `${prefix}/imputed`,
    [
      { name: 'imputed_value_floats', floats: [transform.imputeValue] },
      { name: 'replaced_value_float', float: Number.NaN },
    ],
    ML_DOMAIN,
  );
  if (transform.clipMin !== null || transform.clipMax !== null) {
    // Clip-13 takes its bounds as optional scalar inputs, and '' leaves one out.
    const bound = (name: string, value: number | null) =>
      value === null ? '' : builder.floatInitializer(`${prefix}/${name}`, [], [value]);
    const min = bound('clip_min', transform.clipMin);
    const max = bound('clip_max', transform.clipMax);
    current = builder.node('Clip', [current, min, max], `${prefix}/clipped`);
  }
  const scaler = [
    { name: 'offset', floats: [transform.mean] },
    { name: 'scale', floats: [1 / transform.std] },
  ];
  return builder.node('Scaler', [current], `${prefix}/scaled`, scaler, ML_DOMAIN);
}

function addCategorical(
  builder: GraphBuilder,
  transform: CategoricalTransform,
  index: number,
): string {
  const prefix = `categorical${index}`;
  const oneHot = builder.node(
    'OneHotEncoder',
    [transform.name],
    `${prefix}/one_hot`,
    [
      { name: 'cats_strings', strings: transform.categories },
      { name: 'zeros', int: 1 },
    ],
    ML_DOMAIN,
  );
  // OneHotEncoder appends a dimension: [N, 1] becomes [N, 1, C].
  return builder.node('Flatten', [oneHot], `${prefix}/flat`, [{ name: 'axis', int: 1 }]);
}

/** Lists the transforms in the order their columns appear in `encodedNames`. */
function encodingBlocks(pre: FittedPreprocessor): Transform[] {
  const issues = inputOrderIssues(pre);
  // A categorical transform without levels encodes to no columns, so it has no block.
  const categorical = pre.categorical.filter((transform) => transform.categories.length > 0);
  const remaining: Transform[] = [...pre.numeric, ...categorical];
  const blocks: Transform[] = [];

  for (let column = 0; column < pre.encodedNames.length && issues.length === 0; ) {
    const block = remaining.find((transform) => blockStartsAt(transform, pre.encodedNames, column));
    if (block === undefined) {
      const message =
        'must name a numeric feature or start a one-hot block `feature=level` in category order';
      issues.push({ path: `encodedNames.${column}`, value: pre.encodedNames[column], message });
      break;
    }
    blocks.push(block);
    remaining.splice(remaining.indexOf(block), 1);
    column += 'mean' in block ? 1 : block.categories.length;
  }
  for (const transform of issues.length === 0 ? remaining : []) {
    const message = 'must contain every fitted feature';
    issues.push({ path: 'encodedNames', value: transform.name, message });
  }
  if (issues.length > 0) throw new ValidationError('fitted preprocessor', issues);
  return blocks;
}

function blockStartsAt(transform: Transform, names: string[], column: number): boolean {
  if ('mean' in transform) return names[column] === transform.name;
  return transform.categories.every(
    (level, offset) => names[column + offset] === `${transform.name}=${level}`,
  );
}

function inputOrderIssues(pre: FittedPreprocessor): FieldIssue[] {
  const numeric = new Set(pre.numeric.map((transform) => transform.name));
  const categorical = new Set(pre.categorical.map((transform) => transform.name));
  return pre.inputOrder.flatMap(({ name, type }, index) => {
    const fitted = type === 'numeric' ? numeric : categorical;
    if (fitted.has(name)) return [];
    const message = `must have a fitted ${type} transform`;
    return [{ path: `inputOrder.${index}`, value: name, message }];
  });
}

function metadata(
  model: DenseModel,
  pre: FittedPreprocessor,
  meta: OnnxExportMeta,
): Record<string, string> {
  return {
    modelVersion: meta.modelVersion,
    projectId: meta.projectId,
    family: model.family,
    features: JSON.stringify(pre.inputOrder),
    encodedNames: JSON.stringify(pre.encodedNames),
  };
}
