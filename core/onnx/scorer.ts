// Must come first: it sets the telemetry opt-out that onnxruntime reads when it loads.
import './telemetry-off.js';
import * as ort from 'onnxruntime-node';
import { columnsForOnnx } from '../prediction-input.js';
import type { FeatureRecord } from '../records.js';
import type { FittedPreprocessor } from '../types.js';

/**
 * Scores raw feature records with an exported model in onnxruntime. The
 * model contains its own preprocessing, so records go in as clients send them.
 */
export class OnnxScorer {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly preprocessor: FittedPreprocessor,
  ) {}

  /** Loads model bytes; throws when onnxruntime rejects the model or its inputs differ from the preprocessor's. */
  static async load(modelBytes: Uint8Array, preprocessor: FittedPreprocessor): Promise<OnnxScorer> {
    const session = await ort.InferenceSession.create(modelBytes, {
      graphOptimizationLevel: 'all',
    });
    const expected = preprocessor.inputOrder.map((input) => input.name);
    const missing = expected.filter((name) => !session.inputNames.includes(name));
    if (missing.length > 0) {
      await session.release();
      throw new Error(`ONNX model lacks inputs for features ${missing.join(', ')}`);
    }
    return new OnnxScorer(session, preprocessor);
  }

  /** Returns the positive-class probability of each record, in order. */
  async score(records: FeatureRecord[]): Promise<Float32Array> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, column] of Object.entries(columnsForOnnx(records, this.preprocessor))) {
      feeds[name] = new ort.Tensor(column.type, column.data, [records.length, 1]);
    }
    const output = await this.session.run(feeds);
    const probability = output['probability'];
    if (!probability) throw new Error('ONNX model returned no "probability" output');
    return probability.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
