import { predictDense } from '../core/dense.js';
import { deserializeEncodedSplits } from '../core/encoded.js';
import { rocCurve } from '../core/metrics.js';
import type { DeliveryReport } from '../core/report.js';
import { renderReportHtml } from '../core/report-html.js';
import type { ProjectSpec } from '../core/spec.js';
import type { DataProfile, DenseModel } from '../core/types.js';
import type { ProjectState } from '../workflows/contracts.js';
import type { ActivityDeps } from './deps.js';
import type { ProjectActivities } from './types.js';

/**
 * Stage 6: writes the delivery report as JSON and as a readable HTML page,
 * and registers both. The workflow calls it after deployment and again after
 * each monitoring check, so the latest report shows the latest drift.
 */
export function createDeliveryActivities(
  deps: ActivityDeps,
): Pick<ProjectActivities, 'buildReport'> {
  const { artifacts, registry } = deps;
  return {
    buildReport: async ({ state, spec }) => {
      const report = await assembleReport(deps, state, spec);
      const json = await artifacts.putJson(report);
      const html = await artifacts.put(
        new TextEncoder().encode(renderReportHtml(report)),
        'text/html; charset=utf-8',
      );
      await registry.insertReport({
        id: `${state.projectId}-${json.sha256.slice(0, 16)}`,
        projectId: state.projectId,
        json,
        html,
      });
      return { json, html };
    },
  };
}

async function assembleReport(
  deps: ActivityDeps,
  state: ProjectState,
  spec: ProjectSpec,
): Promise<DeliveryReport> {
  const { artifacts, registry } = deps;
  const project = await registry.getProject(state.projectId);
  const version = state.dataset ? await registry.getDatasetVersion(state.dataset.versionId) : null;
  const profile = state.dataset
    ? await artifacts.getJson<DataProfile>(state.dataset.artifacts.profile)
    : null;
  const approvals = await registry.listApprovals(state.projectId);

  return {
    formatVersion: 1,
    generatedAt: new Date().toISOString(),
    project: {
      id: state.projectId,
      name: state.name,
      description: spec.description,
      owner: project?.owner ?? spec.owner,
      stage: state.stage,
    },
    spec,
    stages: state.stageHistory,
    data:
      state.dataset && profile
        ? {
            datasetVersionId: state.dataset.versionId,
            sha256: state.dataset.sha256,
            sourcePath: version?.sourcePath ?? spec.data.source.path,
            sourceSha256: version?.sourceSha256 ?? '',
            rows: state.dataset.rows,
            splitRows: state.dataset.splitRows,
            positiveRate: state.dataset.positiveRate,
            profile,
          }
        : null,
    trials: state.trials.map(
      ({ trialId, params, status, epochs, queue, validationMetrics, error }) => ({
        trialId,
        params,
        status,
        epochs,
        queue,
        validationMetrics,
        error,
      }),
    ),
    evaluation: {
      selectionMetric: spec.training.selectionMetric,
      threshold: spec.evaluation.threshold,
      candidate:
        state.candidate && state.dataset
          ? { ...state.candidate, roc: await testRoc(deps, state) }
          : null,
    },
    approvals: approvals.map((approval) => ({
      decision: approval.decision,
      approver: approval.approver,
      comment: approval.comment,
      channel: approval.channel,
      decidedAt: approval.decidedAt.toISOString(),
      modelVersionId: approval.modelVersionId,
    })),
    deployment: state.deployment
      ? {
          deploymentId: state.deployment.deploymentId,
          modelVersionId: state.deployment.modelVersionId,
          onnxSha256: state.deployment.onnx.sha256,
          onnxSizeBytes: state.deployment.onnx.sizeBytes,
          deployedAt: state.deployment.deployedAt,
          onnxMaxAbsDiff: state.deployment.onnxMaxAbsDiff,
        }
      : null,
    monitoring: state.monitoring,
    error: state.error,
  };
}

async function testRoc(
  deps: ActivityDeps,
  state: ProjectState,
): Promise<{ fpr: number; tpr: number }[]> {
  const splits = deserializeEncodedSplits(
    await deps.artifacts.get(state.dataset!.artifacts.encoded),
  );
  const model = await deps.artifacts.getJson<DenseModel>(state.candidate!.model);
  return rocCurve(splits.test.y, predictDense(model, splits.test.x));
}
