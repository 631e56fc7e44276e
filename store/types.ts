import type {
  ArtifactRef,
  DataProfile,
  FeatureDrift,
  GateResult,
  Metrics,
  TrialParams,
} from '../core/types.js';
import type { ProjectSpec } from '../core/spec.js';

/** A SQL connection pool (Postgres) or an embedded database (PGlite) behind one interface. */
export interface Db {
  readonly kind: 'postgres' | 'pglite';
  /** Runs one statement with `$1`-style parameters and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of one or more statements without parameters, such as a migration file. */
  exec(sql: string): Promise<void>;
  /** Runs `work` in one transaction; it commits when `work` resolves and rolls back when it throws. */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Files addressed by the SHA-256 of their bytes. */
export interface ArtifactStore {
  /** Stores bytes; writing the same bytes twice returns the same reference. */
  put(bytes: Uint8Array, mediaType: string): Promise<ArtifactRef>;
  /** Reads bytes and checks them against the hash; throws ArtifactNotFoundError when absent. */
  get(ref: Pick<ArtifactRef, 'sha256'>): Promise<Buffer>;
  putJson(value: unknown): Promise<ArtifactRef>;
  getJson<T>(ref: Pick<ArtifactRef, 'sha256'>): Promise<T>;
  has(ref: Pick<ArtifactRef, 'sha256'>): Promise<boolean>;
}

export type ModelStage = 'candidate' | 'approved' | 'rejected' | 'expired' | 'champion' | 'archived';

export interface ProjectRecord {
  id: string;
  name: string;
  workflowId: string;
  spec: ProjectSpec;
  specSha256: string;
  owner: string;
  stage: string;
  /** The latest status snapshot the workflow recorded; null before the first one. */
  status: unknown;
  error: { stage: string; type: string; message: string } | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DatasetVersionRecord {
  /** The SHA-256 of the canonical typed data set; the same content always gets the same id. */
  id: string;
  projectId: string;
  sourcePath: string;
  sourceSha256: string;
  rows: number;
  columns: { name: string; type: 'numeric' | 'categorical' }[];
  artifacts: {
    dataset: ArtifactRef;
    splits: ArtifactRef;
    preprocessor: ArtifactRef;
    encoded: ArtifactRef;
    profile: ArtifactRef;
  };
  profileSummary: Pick<DataProfile, 'rows' | 'positives' | 'positiveRate'>;
  createdAt: Date;
}

export interface TrialRecord {
  id: string;
  projectId: string;
  datasetVersionId: string;
  params: TrialParams;
  status: 'running' | 'completed' | 'failed';
  epochs: number | null;
  queue: string | null;
  validationMetrics: Metrics | null;
  model: ArtifactRef | null;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface ModelVersionRecord {
  id: string;
  projectId: string;
  trialId: string;
  /** 1, 2, 3 ... within the project. */
  version: number;
  stage: ModelStage;
  validationMetrics: Metrics;
  testMetrics: Metrics;
  gates: GateResult[];
  model: ArtifactRef;
  onnx: ArtifactRef | null;
  createdAt: Date;
}

export interface ApprovalRecord {
  id: string;
  projectId: string;
  modelVersionId: string;
  decision: 'approve' | 'reject' | 'expire';
  approver: string;
  comment: string;
  channel: 'update' | 'signal' | 'timer';
  decidedAt: Date;
}

export interface DeploymentRecord {
  id: string;
  projectId: string;
  modelVersionId: string;
  onnx: ArtifactRef;
  preprocessor: ArtifactRef;
  threshold: number;
  status: 'active' | 'retired';
  deployedAt: Date;
  retiredAt: Date | null;
}

export interface PredictionInsert {
  projectId: string;
  deploymentId: string;
  modelVersionId: string;
  inputs: Record<string, string | number | null>;
  probability: number;
  label: number;
  latencyMs: number;
}

export interface MonitoringRunRecord {
  id: string;
  projectId: string;
  deploymentId: string;
  predictions: number;
  drift: FeatureDrift[];
  maxPsi: number | null;
  alerts: string[];
  createdAt: Date;
}

export interface AlertRecord {
  id: string;
  projectId: string;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  details: unknown;
  createdAt: Date;
}

export interface ReportRecord {
  id: string;
  projectId: string;
  json: ArtifactRef;
  html: ArtifactRef;
  createdAt: Date;
}

export interface AuditEntry {
  id: number;
  projectId: string | null;
  actor: string;
  action: string;
  details: unknown;
  createdAt: Date;
}

/**
 * The model registry: projects and everything they produce. Every write that
 * a retried activity may repeat is idempotent on its id.
 */
export interface Registry {
  /** Inserts a project; throws ProjectExistsError when the id is taken. */
  createProject(project: Pick<ProjectRecord, 'id' | 'name' | 'workflowId' | 'spec' | 'specSha256' | 'owner'>): Promise<ProjectRecord>;
  /**
   * Deletes a project that has nothing recorded against it yet; used to undo
   * createProject when its workflow fails to start. Returns false when absent.
   */
  deleteProject(id: string): Promise<boolean>;
  getProject(id: string): Promise<ProjectRecord | null>;
  listProjects(options?: { limit?: number; offset?: number }): Promise<ProjectRecord[]>;
  /** Stores the workflow's latest status snapshot, stage and error. */
  updateProjectStatus(id: string, update: { stage: string; status: unknown; error?: ProjectRecord['error'] }): Promise<void>;
  /** Inserts a dataset version, or returns the existing one with the same id. */
  upsertDatasetVersion(version: Omit<DatasetVersionRecord, 'createdAt'>): Promise<DatasetVersionRecord>;
  getDatasetVersion(id: string): Promise<DatasetVersionRecord | null>;
  upsertTrial(trial: Omit<TrialRecord, 'startedAt' | 'finishedAt'>): Promise<TrialRecord>;
  listTrials(projectId: string): Promise<TrialRecord[]>;
  /** Inserts a model version with the next version number; idempotent on trialId within the project. */
  createModelVersion(model: Omit<ModelVersionRecord, 'version' | 'createdAt' | 'onnx'>): Promise<ModelVersionRecord>;
  getModelVersion(id: string): Promise<ModelVersionRecord | null>;
  setModelStage(id: string, stage: ModelStage): Promise<void>;
  setModelOnnx(id: string, onnx: ArtifactRef): Promise<void>;
  /** Inserts an approval; idempotent on id. */
  recordApproval(approval: Omit<ApprovalRecord, 'decidedAt'> & { decidedAt?: Date }): Promise<ApprovalRecord>;
  listApprovals(projectId: string): Promise<ApprovalRecord[]>;
  /** Makes a deployment the project's active one and retires the previous, in one transaction. */
  activateDeployment(deployment: Omit<DeploymentRecord, 'status' | 'deployedAt' | 'retiredAt'>): Promise<DeploymentRecord>;
  getActiveDeployment(projectId: string): Promise<DeploymentRecord | null>;
  insertPredictions(rows: PredictionInsert[]): Promise<void>;
  /** Returns the inputs of predictions logged for a deployment, oldest first. */
  listPredictionInputs(deploymentId: string, options?: { since?: Date; limit?: number }): Promise<Record<string, string | number | null>[]>;
  countPredictions(deploymentId: string): Promise<number>;
  insertMonitoringRun(run: Omit<MonitoringRunRecord, 'createdAt'>): Promise<MonitoringRunRecord>;
  listMonitoringRuns(projectId: string, options?: { limit?: number }): Promise<MonitoringRunRecord[]>;
  insertAlert(alert: Omit<AlertRecord, 'createdAt'>): Promise<AlertRecord>;
  listAlerts(projectId: string): Promise<AlertRecord[]>;
  insertReport(report: Omit<ReportRecord, 'createdAt'>): Promise<ReportRecord>;
  getLatestReport(projectId: string): Promise<ReportRecord | null>;
  appendAudit(entry: Omit<AuditEntry, 'id' | 'createdAt'>): Promise<void>;
  listAudit(projectId: string): Promise<AuditEntry[]>;
}
