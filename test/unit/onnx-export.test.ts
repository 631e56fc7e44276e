import '../../core/onnx/telemetry-off.js';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';

import { predictDense } from '../../core/dense.js';
import { ValidationError } from '../../core/errors.js';
import { exportToOnnx } from '../../core/onnx/export.js';
import { ProtoWriter, encodeVarint } from '../../core/onnx/protobuf.js';
import { columnsForOnnx } from '../../core/prediction-input.js';
import { transformRecords } from '../../core/preprocess.js';
import type { FeatureRecord } from '../../core/records.js';
import { createRng, type Rng } from '../../core/rng.js';
import type { DenseLayer, DenseModel, FittedPreprocessor } from '../../core/types.js';

const meta = { modelVersion: 'v7', projectId: 'credit-risk', producerVersion: '0.1.0' };

/** Scores records in onnxruntime, feeding the columns the serving API would build. */
async function scoreWithOnnx(
  bytes: Uint8Array,
  records: FeatureRecord[],
  pre: FittedPreprocessor,
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, column] of Object.entries(columnsForOnnx(records, pre))) {
      feeds[name] = new ort.Tensor(column.type, column.data, [records.length, 1]);
    }
    const output = await session.run(feeds);
    expect(output.probability?.dims).toEqual([records.length, 1]);
    return output.probability!.data as Float32Array;
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function randomLayer(
  rng: Rng,
  inputs: number,
  units: number,
  activation: DenseLayer['activation'],
): DenseLayer {
  const uniform = () => rng.next() * 2 - 1;
  const weights = Array.from({ length: inputs * units }, uniform);
  return { inputs, units, weights, bias: Array.from({ length: units }, uniform), activation };
}

const handPre: FittedPreprocessor = {
  inputOrder: [
    { name: 'age', type: 'numeric' },
    { name: 'color', type: 'categorical' },
  ],
  numeric: [{ name: 'age', imputeValue: 40, mean: 35, std: 10, clipMin: 18, clipMax: 70 }],
  categorical: [{ name: 'color', categories: ['red', 'green'], imputeValue: 'red' }],
  encodedNames: ['age', 'color=red', 'color=green'],
};
const handModel: DenseModel = {
  family: 'logistic_regression',
  layers: [{ inputs: 3, units: 1, weights: [0.4, -0.5, 0.25], bias: [-1], activation: 'sigmoid' }],
};

const PURPOSES = ['radio_tv', 'car_new', 'furniture', 'car_used', 'business'];

// The input order interleaves types, while encodedNames puts numerics first as fitPreprocessor does.
const mixedPre: FittedPreprocessor = {
  inputOrder: [
    { name: 'duration', type: 'numeric' },
    { name: 'purpose', type: 'categorical' },
    { name: 'amount', type: 'numeric' },
    { name: 'age', type: 'numeric' },
    { name: 'housing', type: 'categorical' },
    { name: 'rate', type: 'numeric' },
  ],
  numeric: [
    { name: 'duration', imputeValue: 18, mean: 20.9, std: 12.05, clipMin: 6, clipMax: 60 },
    { name: 'amount', imputeValue: 2320, mean: 3271.3, std: 2822.7, clipMin: null, clipMax: 12000 },
    { name: 'age', imputeValue: 33, mean: 35.5, std: 11.4, clipMin: 20, clipMax: null },
    { name: 'rate', imputeValue: 3, mean: 2.97, std: 1.12, clipMin: null, clipMax: null },
  ],
  categorical: [
    { name: 'purpose', categories: PURPOSES, imputeValue: 'radio_tv' },
    { name: 'housing', categories: ['own', 'rent', 'free'], imputeValue: 'own' },
  ],
  encodedNames: [
    'duration',
    'amount',
    'age',
    'rate',
    ...PURPOSES.map((level) => `purpose=${level}`),
    ...['own', 'rent', 'free'].map((level) => `housing=${level}`),
  ],
};

/** Random raw records with missing numerics, values beyond the clip bounds and unseen levels. */
function randomRecords(rng: Rng, count: number): FeatureRecord[] {
  const pick = <T>(values: T[]): T => values[rng.int(values.length)]!;
  const maybeMissing = (value: number) => (rng.next() < 0.15 ? null : value);
  return Array.from({ length: count }, () => ({
    duration: maybeMissing(Math.round(rng.next() * 80)),
    purpose: pick([...PURPOSES, 'education', null]),
    amount: maybeMissing(Math.round(rng.next() * 20000)),
    age: maybeMissing(15 + Math.round(rng.next() * 60)),
    housing: pick(['own', 'rent', 'free', 'boat']),
    rate: maybeMissing(1 + rng.int(4)),
  }));
}

describe('ProtoWriter', () => {
  it.each([
    [0, [0x00]],
    [1, [0x01]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [-1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
  ])('encodes varint %d', (value, bytes) => {
    expect(Array.from(encodeVarint(value))).toEqual(bytes);
  });

  it('rejects a varint that is not a safe integer', () => {
    expect(() => encodeVarint(1.5)).toThrow(RangeError);
  });

  it('writes tags, strings, floats and nested messages', () => {
    const nested = new ProtoWriter().int(1, 150);
    const bytes = new ProtoWriter().string(2, 'hi').float(3, 1).message(4, nested).finish();

    // field 2 wire 2 = 0x12, length 2, "hi"; field 3 wire 5 = 0x1d, 1.0f LE;
    // field 4 wire 2 = 0x22, length 3, then field 1 varint 150 = 0x08 0x96 0x01.
    expect(Array.from(bytes)).toEqual([
      0x12, 0x02, 0x68, 0x69, 0x1d, 0x00, 0x00, 0x80, 0x3f, 0x22, 0x03, 0x08, 0x96, 0x01,
    ]);
  });

  it('writes packed repeated fields', () => {
    const bytes = new ProtoWriter().packedFloats(7, [1, -2]).packedInts(8, [3, 300]).finish();

    expect(Array.from(bytes)).toEqual([
      0x3a, 0x08, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x42, 0x03, 0x03, 0xac, 0x02,
    ]);
  });
});

describe('exportToOnnx', () => {
  it('scores one row as computed by hand', async () => {
    const bytes = exportToOnnx(handModel, handPre, meta);

    const [p] = await scoreWithOnnx(bytes, [{ age: 80, color: 'green' }], handPre);

    // age 80 is clipped to 70 and scaled: (70 - 35) / 10 = 3.5; green one-hot = [0, 1]
    // logit = 0.4 * 3.5 + (-0.5) * 0 + 0.25 * 1 + (-1) = 0.65
    // p = 1 / (1 + e^-0.65) = 0.6570105
    expect(p).toBeCloseTo(0.6570105, 6);
  });

  it('imputes a missing numeric value', async () => {
    const bytes = exportToOnnx(handModel, handPre, meta);

    const [missing, imputed] = await scoreWithOnnx(
      bytes,
      [
        { age: null, color: 'red' },
        { age: 40, color: 'red' },
      ],
      handPre,
    );

    expect(missing).toBe(imputed);
  });

  it('clips numeric values at both bounds', async () => {
    const bytes = exportToOnnx(handModel, handPre, meta);

    const scores = await scoreWithOnnx(
      bytes,
      [
        { age: 1000, color: 'red' },
        { age: 70, color: 'red' },
        { age: -5, color: 'red' },
        { age: 18, color: 'red' },
      ],
      handPre,
    );

    expect(scores[0]).toBe(scores[1]);
    expect(scores[2]).toBe(scores[3]);
  });

  it('encodes an unseen category as all zeros', async () => {
    const bytes = exportToOnnx(handModel, handPre, meta);

    const [p] = await scoreWithOnnx(bytes, [{ age: 35, color: 'purple' }], handPre);

    // age 35 scales to 0 and both one-hot columns are 0, so the logit is the bias, -1.
    expect(p).toBeCloseTo(1 / (1 + Math.exp(1)), 6);
  });

  it('matches predictDense for logistic regression', async () => {
    const rng = createRng(101);
    const model: DenseModel = {
      family: 'logistic_regression',
      layers: [randomLayer(rng, mixedPre.encodedNames.length, 1, 'sigmoid')],
    };
    const records = randomRecords(rng, 300);

    const onnx = await scoreWithOnnx(exportToOnnx(model, mixedPre, meta), records, mixedPre);
    const reference = predictDense(model, transformRecords(records, mixedPre));

    expect(maxAbsDiff(onnx, reference)).toBeLessThan(1e-5);
  });

  it('matches predictDense for a two-hidden-layer MLP', async () => {
    const rng = createRng(202);
    const width = mixedPre.encodedNames.length;
    const model: DenseModel = {
      family: 'mlp',
      layers: [
        randomLayer(rng, width, 8, 'relu'),
        randomLayer(rng, 8, 4, 'relu'),
        randomLayer(rng, 4, 1, 'sigmoid'),
      ],
    };
    const records = randomRecords(rng, 300);

    const onnx = await scoreWithOnnx(exportToOnnx(model, mixedPre, meta), records, mixedPre);
    const reference = predictDense(model, transformRecords(records, mixedPre));

    expect(maxAbsDiff(onnx, reference)).toBeLessThan(1e-5);
  });

  it('names inputs and the output', async () => {
    const session = await ort.InferenceSession.create(exportToOnnx(handModel, handPre, meta));
    try {
      expect([...session.inputNames].sort()).toEqual(['age', 'color']);
      expect(session.outputNames).toEqual(['probability']);
    } finally {
      await session.release();
    }
  });

  it('writes identity metadata', () => {
    const text = new TextDecoder('latin1').decode(exportToOnnx(handModel, handPre, meta));

    const expected = ['modelVersion', 'v7', 'projectId', 'credit-risk', 'features', 'ai.onnx.ml'];
    for (const value of expected) {
      expect(text).toContain(value);
    }
    expect(text).toContain(JSON.stringify(handPre.inputOrder));
  });

  it('rejects a model of wrong width', () => {
    const narrow: DenseModel = {
      family: 'logistic_regression',
      layers: [{ inputs: 2, units: 1, weights: [1, 1], bias: [0], activation: 'sigmoid' }],
    };

    expect(() => exportToOnnx(narrow, handPre, meta)).toThrow(
      'dense model is invalid: layers.0.inputs: must be 3 to match the input width (got 2)',
    );
  });

  it('rejects inconsistent encodedNames', () => {
    const shuffled = { ...handPre, encodedNames: ['age', 'color=green', 'color=red'] };

    expect(() => exportToOnnx(handModel, shuffled, meta)).toThrow(ValidationError);
    expect(() => exportToOnnx(handModel, shuffled, meta)).toThrow('encodedNames.1');
  });

  it('rejects a feature named probability', () => {
    const clash: FittedPreprocessor = {
      inputOrder: [{ name: 'probability', type: 'numeric' }],
      numeric: [
        { name: 'probability', imputeValue: 0, mean: 0, std: 1, clipMin: null, clipMax: null },
      ],
      categorical: [],
      encodedNames: ['probability'],
    };
    const model: DenseModel = {
      family: 'logistic_regression',
      layers: [{ inputs: 1, units: 1, weights: [1], bias: [0], activation: 'sigmoid' }],
    };

    expect(() => exportToOnnx(model, clash, meta)).toThrow(
      'ONNX graph is invalid: name: must be unique; rename the feature that clashes with it (got "probability")',
    );
  });
});
