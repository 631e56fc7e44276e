import type { ArtifactRef } from '../core/types.js';
import * as models from './registry-models.js';
import * as monitoring from './registry-monitoring.js';
import * as projects from './registry-projects.js';
import * as serving from './registry-serving.js';
import type {
  AlertRecord,
  ApprovalRecord,
  AuditEntry,
  DatasetVersionRecord,
  Db,
  DeploymentRecord,
  ModelStage,
  ModelVersionRecord,
  MonitoringRunRecord,
  PredictionInsert,
  ProjectRecord,
  ReportRecord,
  Registry,
  TrialRecord,
} from './types.js';

/**
 * The registry on Postgres or PGlite. Run `migrate(db)` before first use.
 * Each method's contract is documented on the function it calls in
 * registry-projects.ts, registry-models.ts, registry-serving.ts or
 * registry-monitoring.ts.
 */
export class SqlRegistry implements Registry {
  constructor(private readonly db: Db) {}

  createProject(
    project: Pick<ProjectRecord, 'id' | 'name' | 'workflowId' | 'spec' | 'specSha256' | 'owner'>,
  ): Promise<ProjectRecord> {
    return projects.createProject(this.db, project);
  }

  deleteProject(id: string): Promise<boolean> {
    return projects.deleteProject(this.db, id);
  }

  getProject(id: string): Promise<ProjectRecord | null> {
    return projects.getProject(this.db, id);
  }

  listProjects(options?: { limit?: number; offset?: number }): Promise<ProjectRecord[]> {
    return projects.listProjects(this.db, options);
  }

  updateProjectStatus(
    id: string,
    update: { stage: string; status: unknown; error?: ProjectRecord['error'] },
  ): Promise<void> {
    return projects.updateProjectStatus(this.db, id, update);
  }

  upsertDatasetVersion(version: Omit<DatasetVersionRecord, 'createdAt'>): Promise<DatasetVersionRecord> {
    return projects.upsertDatasetVersion(this.db, version);
  }

  getDatasetVersion(id: string): Promise<DatasetVersionRecord | null> {
    return projects.getDatasetVersion(this.db, id);
  }

  upsertTrial(trial: Omit<TrialRecord, 'startedAt' | 'finishedAt'>): Promise<TrialRecord> {
    return projects.upsertTrial(this.db, trial);
  }

  listTrials(projectId: string): Promise<TrialRecord[]> {
    return projects.listTrials(this.db, projectId);
  }

  createModelVersion(model: Omit<ModelVersionRecord, 'version' | 'createdAt' | 'onnx'>): Promise<ModelVersionRecord> {
    return models.createModelVersion(this.db, model);
  }

  getModelVersion(id: string): Promise<ModelVersionRecord | null> {
    return models.getModelVersion(this.db, id);
  }

  setModelStage(id: string, stage: ModelStage): Promise<void> {
    return models.setModelStage(this.db, id, stage);
  }

  setModelOnnx(id: string, onnx: ArtifactRef): Promise<void> {
    return models.setModelOnnx(this.db, id, onnx);
  }

  recordApproval(approval: Omit<ApprovalRecord, 'decidedAt'> & { decidedAt?: Date }): Promise<ApprovalRecord> {
    return models.recordApproval(this.db, approval);
  }

  listApprovals(projectId: string): Promise<ApprovalRecord[]> {
    return models.listApprovals(this.db, projectId);
  }

  activateDeployment(
    deployment: Omit<DeploymentRecord, 'status' | 'deployedAt' | 'retiredAt'>,
  ): Promise<DeploymentRecord> {
    return serving.activateDeployment(this.db, deployment);
  }

  getActiveDeployment(projectId: string): Promise<DeploymentRecord | null> {
    return serving.getActiveDeployment(this.db, projectId);
  }

  insertPredictions(rows: PredictionInsert[]): Promise<void> {
    return serving.insertPredictions(this.db, rows);
  }

  listPredictionInputs(
    deploymentId: string,
    options?: { since?: Date; limit?: number },
  ): Promise<Record<string, string | number | null>[]> {
    return serving.listPredictionInputs(this.db, deploymentId, options);
  }

  countPredictions(deploymentId: string): Promise<number> {
    return serving.countPredictions(this.db, deploymentId);
  }

  insertMonitoringRun(run: Omit<MonitoringRunRecord, 'createdAt'>): Promise<MonitoringRunRecord> {
    return monitoring.insertMonitoringRun(this.db, run);
  }

  listMonitoringRuns(projectId: string, options?: { limit?: number }): Promise<MonitoringRunRecord[]> {
    return monitoring.listMonitoringRuns(this.db, projectId, options);
  }

  insertAlert(alert: Omit<AlertRecord, 'createdAt'>): Promise<AlertRecord> {
    return monitoring.insertAlert(this.db, alert);
  }

  listAlerts(projectId: string): Promise<AlertRecord[]> {
    return monitoring.listAlerts(this.db, projectId);
  }

  insertReport(report: Omit<ReportRecord, 'createdAt'>): Promise<ReportRecord> {
    return monitoring.insertReport(this.db, report);
  }

  getLatestReport(projectId: string): Promise<ReportRecord | null> {
    return monitoring.getLatestReport(this.db, projectId);
  }

  appendAudit(entry: Omit<AuditEntry, 'id' | 'createdAt'>): Promise<void> {
    return monitoring.appendAudit(this.db, entry);
  }

  listAudit(projectId: string): Promise<AuditEntry[]> {
    return monitoring.listAudit(this.db, projectId);
  }
}
