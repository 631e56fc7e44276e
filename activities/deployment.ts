import { log } from '@temporalio/activity';
import { predictDense } from '../core/dense.js';
import { exportToOnnx } from '../core/onnx/export.js';
import { OnnxScorer } from '../core/onnx/scorer.js';
import { transformRows } from '../core/preprocess.js';
import { recordsAt } from '../core/records.js';
import type { DenseModel, FittedPreprocessor, SplitIndices, TypedDataset } from '../core/types.js';
import type { ActivityDeps } from './deps.js';
import { rejectInput } from './failures.js';
import type { ProjectActivities } from './types.js';

/** Largest ONNX-versus-reference score difference accepted on the test split (float32 arithmetic). */
export const ONNX_TOLERANCE = 1e-4;

const PRODUCER_VERSION = '0.1.0';

/**
 * Stage 5: exports the approved model with its preprocessing to ONNX, checks
 * that onnxruntime scores the raw test rows as the reference scorer does,
 * and makes it the project's active deployment.
 */
export function createDeploymentActivities(
  deps: ActivityDeps,
): Pick<ProjectActivities, 'exportModel' | 'deployModel'> {
  const { artifacts, registry } = deps;
  return {
    exportModel: async ({ projectId, candidate, dataset }) => {
      const model = await artifacts.getJson<DenseModel>(candidate.model);
      const preprocessor = await artifacts.getJson<FittedPreprocessor>(
        dataset.artifacts.preprocessor,
      );
      const bytes = exportToOnnx(model, preprocessor, {
        modelVersion: candidate.modelVersionId,
        projectId,
        producerVersion: PRODUCER_VERSION,
      });
      const maxAbsDiff = await compareOnTestSplit(
        artifacts,
        bytes,
        model,
        preprocessor,
        dataset.artifacts,
      );
      if (!(maxAbsDiff <= ONNX_TOLERANCE)) {
        rejectInput(
          'EXPORT_MISMATCH',
          `ONNX scores differ from the reference by up to ${maxAbsDiff} on the test split; the limit is ${ONNX_TOLERANCE}`,
        );
      }
      const onnx = await artifacts.put(bytes, 'application/onnx');
      await registry.setModelOnnx(candidate.modelVersionId, onnx);
      log.info('Model exported to ONNX', {
        modelVersionId: candidate.modelVersionId,
        sizeBytes: onnx.sizeBytes,
        maxAbsDiff,
      });
      return { onnx, maxAbsDiff };
    },

    deployModel: async ({ projectId, candidate, onnx, onnxMaxAbsDiff, dataset, threshold }) => {
      const deployment = await registry.activateDeployment({
        id: `dep-${candidate.modelVersionId}`,
        projectId,
        modelVersionId: candidate.modelVersionId,
        onnx,
        preprocessor: dataset.artifacts.preprocessor,
        threshold,
      });
      await registry.setModelStage(candidate.modelVersionId, 'champion');
      await registry.appendAudit({
        projectId,
        actor: 'fullcycle',
        action: 'model_deployed',
        details: { deploymentId: deployment.id, modelVersionId: candidate.modelVersionId },
      });
      return {
        deploymentId: deployment.id,
        modelVersionId: candidate.modelVersionId,
        onnx,
        deployedAt: deployment.deployedAt.toISOString(),
        onnxMaxAbsDiff,
      };
    },
  };
}

/** Returns the largest difference between ONNX scores of the raw test rows and the reference scorer's. */
async function compareOnTestSplit(
  artifacts: ActivityDeps['artifacts'],
  bytes: Uint8Array,
  model: DenseModel,
  preprocessor: FittedPreprocessor,
  refs: { dataset: { sha256: string }; splits: { sha256: string } },
): Promise<number> {
  const typed = await artifacts.getJson<TypedDataset>(refs.dataset);
  const { test } = await artifacts.getJson<SplitIndices>(refs.splits);
  const reference = predictDense(model, transformRows(typed, test, preprocessor));
  const scorer = await OnnxScorer.load(bytes, preprocessor);
  try {
    const scores = await scorer.score(recordsAt(typed, test));
    let maxAbsDiff = 0;
    for (let i = 0; i < reference.length; i++) {
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(scores[i]! - reference[i]!));
    }
    return maxAbsDiff;
  } finally {
    await scorer.release();
  }
}
