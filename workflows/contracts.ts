/**
 * Names and message types shared by the project workflow, its workers and
 * its clients (API, CLI). Clients import this module, never the workflow.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { ProjectSpec } from '../core/spec.js';
import type { ArtifactRef, FeatureDrift, GateResult, Metrics, TrialParams } from '../core/types.js';

export const TASK_QUEUES = {
  /** The project workflow and every CPU activity outside training. */
  main: 'fullcycle',
  trainingCpu: 'fullcycle-training-cpu',
  trainingGpu: 'fullcycle-training-gpu',
} as const;

export const PROJECT_WORKFLOW_TYPE = 'projectWorkflow';

export function projectWorkflowId(projectId: string): string {
  return `project-${projectId}`;
}

export const SEARCH_ATTRIBUTES = {
  project: defineSearchAttributeKey('FullcycleProject', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('FullcycleStage', SearchAttributeType.KEYWORD),
  modelVersion: defineSearchAttributeKey('FullcycleModelVersion', SearchAttributeType.KEYWORD),
} as const;

/** Stages in lifecycle order, then the end states. */
export const STAGES = [
  'initiation',
  'data',
  'training',
  'evaluation',
  'awaiting_approval',
  'deployment',
  'delivery',
  'serving',
] as const;
export const END_STATES = ['rejected', 'approval_expired', 'no_candidate', 'failed'] as const;
export type Stage = (typeof STAGES)[number] | (typeof END_STATES)[number];

export interface ProjectWorkflowInput {
  projectId: string;
  /** Validated spec with data paths already resolved to absolute paths. */
  spec: ProjectSpec;
  submittedBy: string;
  /** State carried over continue-as-new; absent on the first run. */
  carried?: ProjectState;
}

export interface StageRecord {
  stage: Stage;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  outcome: 'running' | 'completed' | 'failed';
}

export interface DatasetSummary {
  versionId: string;
  sha256: string;
  rows: number;
  features: number;
  encodedFeatures: number;
  splitRows: { train: number; validation: number; test: number };
  positiveRate: number;
  artifacts: {
    dataset: ArtifactRef;
    splits: ArtifactRef;
    preprocessor: ArtifactRef;
    /** Encoded feature matrices and labels of the three splits, as trials read them. */
    encoded: ArtifactRef;
    profile: ArtifactRef;
  };
}

export interface TrialSummary {
  trialId: string;
  params: TrialParams;
  queue: string;
  status: 'completed' | 'failed';
  epochs: number;
  validationMetrics: Metrics | null;
  model: ArtifactRef | null;
  error: string | null;
}

export interface CandidateSummary {
  modelVersionId: string;
  version: number;
  trialId: string;
  params: TrialParams;
  validationMetrics: Metrics;
  testMetrics: Metrics;
  gates: GateResult[];
  model: ArtifactRef;
}

export interface PendingApproval {
  modelVersionId: string;
  requestedAt: string;
  deadline: string;
}

export interface ApprovalDecision {
  decision: 'approve' | 'reject' | 'expire';
  approver: string;
  comment: string;
  modelVersionId: string;
  channel: 'update' | 'signal' | 'timer';
  decidedAt: string;
}

export interface DeploymentSummary {
  deploymentId: string;
  modelVersionId: string;
  onnx: ArtifactRef;
  deployedAt: string;
  /** Largest absolute difference between ONNX and reference scores on the test split. */
  onnxMaxAbsDiff: number;
}

export interface MonitoringCheck {
  checkedAt: string;
  predictions: number;
  /** Empty when there were fewer predictions than the spec's minimum. */
  drift: FeatureDrift[];
  maxPsi: number | null;
  alerts: string[];
}

export interface ProjectState {
  projectId: string;
  name: string;
  stage: Stage;
  stageHistory: StageRecord[];
  dataset: DatasetSummary | null;
  trials: TrialSummary[];
  candidate: CandidateSummary | null;
  pendingApproval: PendingApproval | null;
  approval: ApprovalDecision | null;
  deployment: DeploymentSummary | null;
  report: { json: ArtifactRef; html: ArtifactRef } | null;
  monitoring: { checks: number; last: MonitoringCheck | null };
  error: { stage: Stage; type: string; message: string } | null;
  /** Workflow runs so far; grows by one on each continue-as-new. */
  run: number;
}

export interface PromotionDecisionInput {
  approver: string;
  comment?: string;
  /** When set, the decision applies only if this model version awaits approval. */
  modelVersionId?: string;
}

export interface PromotionSignalInput extends PromotionDecisionInput {
  decision: 'approve' | 'reject';
}

export const statusQuery = defineQuery<ProjectState>('status');
export const approvePromotionUpdate = defineUpdate<ApprovalDecision, [PromotionDecisionInput]>(
  'approvePromotion',
);
export const rejectPromotionUpdate = defineUpdate<ApprovalDecision, [PromotionDecisionInput]>(
  'rejectPromotion',
);
/** Same effect as the updates, for operators in the Temporal Web UI; invalid signals are logged and dropped. */
export const promotionDecisionSignal = defineSignal<[PromotionSignalInput]>('promotionDecision');
/** Runs a monitoring check now instead of waiting for the timer; rejected unless the model is serving. */
export const runMonitoringUpdate = defineUpdate<MonitoringCheck, []>('runMonitoring');
