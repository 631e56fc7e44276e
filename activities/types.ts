/**
 * Activity signatures. The workflow proxies these interfaces; the factories
 * in this folder implement them. Inputs and outputs are small JSON: ids,
 * hashes, artifact references and metrics, never data sets or model bytes.
 */
import type { ProjectSpec } from '../core/spec.js';
import type { ArtifactRef, ColumnType, Metrics, TrialPlan } from '../core/types.js';
import type {
  ApprovalDecision,
  CandidateSummary,
  DatasetSummary,
  DeploymentSummary,
  MonitoringCheck,
  ProjectState,
  TrialSummary,
} from '../workflows/contracts.js';

export interface FeasibilityReport {
  sourcePath: string;
  sourceSizeBytes: number;
  columns: string[];
  rows: number;
  classCounts: { positive: number; negative: number };
}

export interface IngestResult {
  /** The typed data set; its SHA-256 is the dataset version id. */
  dataset: ArtifactRef;
  sourcePath: string;
  sourceSha256: string;
  rows: number;
  positives: number;
  features: { name: string; type: ColumnType }[];
}

export interface PreparedData {
  splits: ArtifactRef;
  preprocessor: ArtifactRef;
  encoded: ArtifactRef;
  splitRows: { train: number; validation: number; test: number };
  encodedFeatures: number;
}

export interface TrialOutcome {
  trialId: string;
  model: ArtifactRef;
  epochs: number;
  bestEpoch: number;
  stoppedEarly: boolean;
  validationMetrics: Metrics;
  backend: string;
  durationMs: number;
}

export interface EvaluationResult {
  /** Completed trials, best validation score first. */
  ranking: {
    trialId: string;
    validationMetrics: Metrics;
    testMetrics: Metrics;
    gatesPassed: boolean;
  }[];
  candidate: CandidateSummary | null;
}

export interface ProjectActivities {
  recordStatus(state: ProjectState): Promise<void>;
  checkFeasibility(input: {
    projectId: string;
    data: ProjectSpec['data'];
  }): Promise<FeasibilityReport>;
  ingestDataset(input: { projectId: string; data: ProjectSpec['data'] }): Promise<IngestResult>;
  prepareDataset(input: { data: ProjectSpec['data']; dataset: ArtifactRef }): Promise<PreparedData>;
  profileDataset(input: { dataset: ArtifactRef }): Promise<{ profile: ArtifactRef }>;
  registerDatasetVersion(input: {
    projectId: string;
    ingest: IngestResult;
    prepared: PreparedData;
    profile: ArtifactRef;
  }): Promise<DatasetSummary>;
  planTrials(input: { training: ProjectSpec['training'] }): Promise<TrialPlan[]>;
  recordTrial(input: {
    projectId: string;
    datasetVersionId: string;
    trial: TrialSummary;
  }): Promise<void>;
  evaluateTrials(input: {
    projectId: string;
    dataset: DatasetSummary;
    trials: TrialSummary[];
    evaluation: ProjectSpec['evaluation'];
    selectionMetric: ProjectSpec['training']['selectionMetric'];
  }): Promise<EvaluationResult>;
  recordApproval(input: { projectId: string; decision: ApprovalDecision }): Promise<void>;
  exportModel(input: {
    projectId: string;
    candidate: CandidateSummary;
    dataset: DatasetSummary;
  }): Promise<{
    onnx: ArtifactRef;
    maxAbsDiff: number;
  }>;
  deployModel(input: {
    projectId: string;
    candidate: CandidateSummary;
    onnx: ArtifactRef;
    onnxMaxAbsDiff: number;
    dataset: DatasetSummary;
    threshold: number;
  }): Promise<DeploymentSummary>;
  buildReport(input: {
    state: ProjectState;
    spec: ProjectSpec;
  }): Promise<{ json: ArtifactRef; html: ArtifactRef }>;
  checkDrift(input: {
    projectId: string;
    deploymentId: string;
    dataset: DatasetSummary;
    monitoring: ProjectSpec['monitoring'];
  }): Promise<MonitoringCheck>;
}

export interface TrainingActivities {
  runTrial(input: {
    projectId: string;
    plan: TrialPlan;
    encoded: ArtifactRef;
    patience: number;
    /** Decision threshold for the validation metrics that depend on one. */
    threshold: number;
  }): Promise<TrialOutcome>;
}
