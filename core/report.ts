import type { ProjectSpec } from './spec.js';
import type { DataProfile, FeatureDrift, GateResult, Metrics, TrialParams } from './types.js';

/**
 * The delivery report (model card) of a project: what was asked, what data
 * it learned from, how the trials did, which model passed the gates, who
 * approved it and what is serving. Stored as JSON; rendered to HTML by
 * renderReportHtml.
 */
export interface DeliveryReport {
  formatVersion: 1;
  generatedAt: string;
  project: { id: string; name: string; description: string; owner: string; stage: string };
  spec: ProjectSpec;
  stages: {
    stage: string;
    startedAt: string;
    endedAt: string | null;
    durationMs: number | null;
    outcome: string;
  }[];
  data: {
    datasetVersionId: string;
    sha256: string;
    sourcePath: string;
    sourceSha256: string;
    rows: number;
    splitRows: { train: number; validation: number; test: number };
    positiveRate: number;
    profile: DataProfile;
  } | null;
  trials: {
    trialId: string;
    params: TrialParams;
    status: string;
    epochs: number;
    queue: string;
    validationMetrics: Metrics | null;
    error: string | null;
  }[];
  evaluation: {
    selectionMetric: string;
    threshold: number;
    candidate: {
      modelVersionId: string;
      version: number;
      trialId: string;
      params: TrialParams;
      validationMetrics: Metrics;
      testMetrics: Metrics;
      gates: GateResult[];
      /** ROC curve of the candidate on the test split. */
      roc: { fpr: number; tpr: number }[];
    } | null;
  };
  approvals: {
    decision: string;
    approver: string;
    comment: string;
    channel: string;
    decidedAt: string;
    modelVersionId: string;
  }[];
  deployment: {
    deploymentId: string;
    modelVersionId: string;
    onnxSha256: string;
    onnxSizeBytes: number;
    deployedAt: string;
    onnxMaxAbsDiff: number;
  } | null;
  monitoring: {
    checks: number;
    last: {
      checkedAt: string;
      predictions: number;
      maxPsi: number | null;
      alerts: string[];
      drift: FeatureDrift[];
    } | null;
  };
  error: { stage: string; type: string; message: string } | null;
}
