import type { ArtifactRef } from '../core/types.js';
import { firstOrNull, insertOrRead, jsonParam, readById } from './sql.js';
import type { AlertRecord, AuditEntry, Db, MonitoringRunRecord, ReportRecord } from './types.js';

/** The number of monitoring runs listMonitoringRuns returns when no limit is given. */
export const DEFAULT_MONITORING_RUN_LIMIT = 100;

interface MonitoringRunRow {
  id: string;
  project_id: string;
  deployment_id: string;
  predictions: number;
  drift: MonitoringRunRecord['drift'];
  max_psi: number | null;
  alerts: string[];
  created_at: Date;
}

const MONITORING_RUN_COLUMNS = 'id, project_id, deployment_id, predictions, drift, max_psi, alerts, created_at';

/** Inserts a monitoring run, or returns the stored one with the same id unchanged. */
export async function insertMonitoringRun(
  db: Db,
  run: Omit<MonitoringRunRecord, 'createdAt'>,
): Promise<MonitoringRunRecord> {
  const row = await insertOrRead(
    db,
    `insert into monitoring_runs (id, project_id, deployment_id, predictions, drift, max_psi, alerts)
     values ($1, $2, $3, $4, $5::jsonb, $6, $7::jsonb)
     on conflict (id) do nothing
     returning ${MONITORING_RUN_COLUMNS}`,
    [run.id, run.projectId, run.deploymentId, run.predictions, jsonParam(run.drift), run.maxPsi, jsonParam(run.alerts)],
    () => readById<MonitoringRunRow>(db, `select ${MONITORING_RUN_COLUMNS} from monitoring_runs`, run.id),
  );
  return toMonitoringRun(row);
}

/** Returns the project's monitoring runs, newest first, at most `limit` (default DEFAULT_MONITORING_RUN_LIMIT). */
export async function listMonitoringRuns(
  db: Db,
  projectId: string,
  options: { limit?: number } = {},
): Promise<MonitoringRunRecord[]> {
  const rows = await db.query<MonitoringRunRow>(
    `select ${MONITORING_RUN_COLUMNS} from monitoring_runs
     where project_id = $1
     order by seq desc
     limit $2`,
    [projectId, options.limit ?? DEFAULT_MONITORING_RUN_LIMIT],
  );
  return rows.map(toMonitoringRun);
}

function toMonitoringRun(row: MonitoringRunRow): MonitoringRunRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    deploymentId: row.deployment_id,
    predictions: row.predictions,
    drift: row.drift,
    maxPsi: row.max_psi,
    alerts: row.alerts,
    createdAt: row.created_at,
  };
}

interface AlertRow {
  id: string;
  project_id: string;
  kind: string;
  severity: AlertRecord['severity'];
  message: string;
  details: unknown;
  created_at: Date;
}

const ALERT_COLUMNS = 'id, project_id, kind, severity, message, details, created_at';

/** Inserts an alert, or returns the stored one with the same id unchanged. */
export async function insertAlert(db: Db, alert: Omit<AlertRecord, 'createdAt'>): Promise<AlertRecord> {
  const row = await insertOrRead(
    db,
    `insert into alerts (id, project_id, kind, severity, message, details)
     values ($1, $2, $3, $4, $5, $6::jsonb)
     on conflict (id) do nothing
     returning ${ALERT_COLUMNS}`,
    [alert.id, alert.projectId, alert.kind, alert.severity, alert.message, jsonParam(alert.details)],
    () => readById<AlertRow>(db, `select ${ALERT_COLUMNS} from alerts`, alert.id),
  );
  return toAlert(row);
}

/** Returns the project's alerts, newest first. */
export async function listAlerts(db: Db, projectId: string): Promise<AlertRecord[]> {
  const rows = await db.query<AlertRow>(
    `select ${ALERT_COLUMNS} from alerts where project_id = $1 order by seq desc`,
    [projectId],
  );
  return rows.map(toAlert);
}

function toAlert(row: AlertRow): AlertRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    kind: row.kind,
    severity: row.severity,
    message: row.message,
    details: row.details,
    createdAt: row.created_at,
  };
}

interface ReportRow {
  id: string;
  project_id: string;
  json_artifact: ArtifactRef;
  html_artifact: ArtifactRef;
  created_at: Date;
}

const REPORT_COLUMNS = 'id, project_id, json_artifact, html_artifact, created_at';

/** Inserts a report, or returns the stored one with the same id unchanged. */
export async function insertReport(db: Db, report: Omit<ReportRecord, 'createdAt'>): Promise<ReportRecord> {
  const row = await insertOrRead(
    db,
    `insert into reports (id, project_id, json_artifact, html_artifact)
     values ($1, $2, $3::jsonb, $4::jsonb)
     on conflict (id) do nothing
     returning ${REPORT_COLUMNS}`,
    [report.id, report.projectId, jsonParam(report.json), jsonParam(report.html)],
    () => readById<ReportRow>(db, `select ${REPORT_COLUMNS} from reports`, report.id),
  );
  return toReport(row);
}

/** Returns the project's most recent report, or null when it has none. */
export async function getLatestReport(db: Db, projectId: string): Promise<ReportRecord | null> {
  const rows = await db.query<ReportRow>(
    `select ${REPORT_COLUMNS} from reports where project_id = $1 order by seq desc limit 1`,
    [projectId],
  );
  const row = firstOrNull(rows);
  return row && toReport(row);
}

function toReport(row: ReportRow): ReportRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    json: row.json_artifact,
    html: row.html_artifact,
    createdAt: row.created_at,
  };
}

/** Appends an audit entry. The table rejects updates, deletes and truncation. */
export async function appendAudit(db: Db, entry: Omit<AuditEntry, 'id' | 'createdAt'>): Promise<void> {
  await db.query('insert into audit_log (project_id, actor, action, details) values ($1, $2, $3, $4::jsonb)', [
    entry.projectId,
    entry.actor,
    entry.action,
    jsonParam(entry.details),
  ]);
}

/** Returns the project's audit entries in the order they were appended. */
export async function listAudit(db: Db, projectId: string): Promise<AuditEntry[]> {
  const rows = await db.query<{
    id: number;
    project_id: string | null;
    actor: string;
    action: string;
    details: unknown;
    created_at: Date;
  }>('select id, project_id, actor, action, details, created_at from audit_log where project_id = $1 order by id', [
    projectId,
  ]);
  return rows.map((row) => ({
    id: row.id,
    projectId: row.project_id,
    actor: row.actor,
    action: row.action,
    details: row.details,
    createdAt: row.created_at,
  }));
}
