import { NotFoundError, ProjectExistsError } from './errors.js';
import { firstOrNull, insertOrRead, jsonParam } from './sql.js';
import type { DatasetVersionRecord, Db, ProjectRecord, TrialRecord } from './types.js';

/** The number of projects listProjects returns when no limit is given. */
export const DEFAULT_PROJECT_LIMIT = 100;

interface ProjectRow {
  id: string;
  name: string;
  workflow_id: string;
  spec: ProjectRecord['spec'];
  spec_sha256: string;
  owner: string;
  stage: string;
  status: unknown;
  error: ProjectRecord['error'];
  created_at: Date;
  updated_at: Date;
}

const PROJECT_COLUMNS = `id, name, workflow_id, spec, spec_sha256, owner, stage, status, error,
  created_at, updated_at`;

/** Inserts a project. Throws ProjectExistsError when the id is taken. */
export async function createProject(
  db: Db,
  project: Pick<ProjectRecord, 'id' | 'name' | 'workflowId' | 'spec' | 'specSha256' | 'owner'>,
): Promise<ProjectRecord> {
  const rows = await db.query<ProjectRow>(
    `insert into projects (id, name, workflow_id, spec, spec_sha256, owner)
     values ($1, $2, $3, $4::jsonb, $5, $6)
     on conflict (id) do nothing
     returning ${PROJECT_COLUMNS}`,
    [project.id, project.name, project.workflowId, jsonParam(project.spec), project.specSha256, project.owner],
  );
  if (!rows[0]) throw new ProjectExistsError(project.id);
  return toProject(rows[0]);
}

/**
 * Deletes a project that nothing references yet and returns whether it
 * existed. Throws DatabaseError with SQLSTATE 23503 once dataset versions,
 * trials or other rows reference it. Audit entries do not count.
 */
export async function deleteProject(db: Db, id: string): Promise<boolean> {
  const rows = await db.query('delete from projects where id = $1 returning id', [id]);
  return rows.length > 0;
}

/** Returns the project, or null when no project has this id. */
export async function getProject(db: Db, id: string): Promise<ProjectRecord | null> {
  const rows = await db.query<ProjectRow>(`select ${PROJECT_COLUMNS} from projects where id = $1`, [id]);
  const row = firstOrNull(rows);
  return row && toProject(row);
}

/** Returns projects newest first, at most `limit` (default DEFAULT_PROJECT_LIMIT). */
export async function listProjects(
  db: Db,
  options: { limit?: number; offset?: number } = {},
): Promise<ProjectRecord[]> {
  const rows = await db.query<ProjectRow>(
    `select ${PROJECT_COLUMNS} from projects
     order by seq desc
     limit $1 offset $2`,
    [options.limit ?? DEFAULT_PROJECT_LIMIT, options.offset ?? 0],
  );
  return rows.map(toProject);
}

/**
 * Stores the workflow's stage, status snapshot and error. An absent error
 * clears an earlier one. Throws NotFoundError for an unknown project.
 */
export async function updateProjectStatus(
  db: Db,
  id: string,
  update: { stage: string; status: unknown; error?: ProjectRecord['error'] },
): Promise<void> {
  const rows = await db.query(
    `update projects
     set stage = $2, status = $3::jsonb, error = $4::jsonb, updated_at = now()
     where id = $1
     returning id`,
    [id, update.stage, jsonParam(update.status), jsonParam(update.error ?? null)],
  );
  if (!rows[0]) throw new NotFoundError('project', id);
}

function toProject(row: ProjectRow): ProjectRecord {
  return {
    id: row.id,
    name: row.name,
    workflowId: row.workflow_id,
    spec: row.spec,
    specSha256: row.spec_sha256,
    owner: row.owner,
    stage: row.stage,
    status: row.status,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

interface DatasetVersionRow {
  id: string;
  project_id: string;
  source_path: string;
  source_sha256: string;
  row_count: number;
  columns: DatasetVersionRecord['columns'];
  artifacts: DatasetVersionRecord['artifacts'];
  profile_summary: DatasetVersionRecord['profileSummary'];
  created_at: Date;
}

const DATASET_VERSION_COLUMNS = `id, project_id, source_path, source_sha256, row_count, columns,
  artifacts, profile_summary, created_at`;

/**
 * Inserts a dataset version, or returns the stored one with the same id.
 * The id is a content hash, so a second project importing the same data
 * gets the record of the project that stored it first.
 */
export async function upsertDatasetVersion(
  db: Db,
  version: Omit<DatasetVersionRecord, 'createdAt'>,
): Promise<DatasetVersionRecord> {
  const row = await insertOrRead(
    db,
    `insert into dataset_versions
       (id, project_id, source_path, source_sha256, row_count, columns, artifacts, profile_summary)
     values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb)
     on conflict (id) do nothing
     returning ${DATASET_VERSION_COLUMNS}`,
    [
      version.id,
      version.projectId,
      version.sourcePath,
      version.sourceSha256,
      version.rows,
      jsonParam(version.columns),
      jsonParam(version.artifacts),
      jsonParam(version.profileSummary),
    ],
    () => readDatasetVersion(db, version.id),
  );
  return toDatasetVersion(row);
}

/** Returns the dataset version, or null when no version has this id. */
export async function getDatasetVersion(db: Db, id: string): Promise<DatasetVersionRecord | null> {
  const row = await readDatasetVersion(db, id);
  return row && toDatasetVersion(row);
}

async function readDatasetVersion(db: Db, id: string): Promise<DatasetVersionRow | null> {
  const rows = await db.query<DatasetVersionRow>(
    `select ${DATASET_VERSION_COLUMNS} from dataset_versions where id = $1`,
    [id],
  );
  return firstOrNull(rows);
}

function toDatasetVersion(row: DatasetVersionRow): DatasetVersionRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    sourcePath: row.source_path,
    sourceSha256: row.source_sha256,
    rows: row.row_count,
    columns: row.columns,
    artifacts: row.artifacts,
    profileSummary: row.profile_summary,
    createdAt: row.created_at,
  };
}

interface TrialRow {
  id: string;
  project_id: string;
  dataset_version_id: string;
  params: TrialRecord['params'];
  status: TrialRecord['status'];
  epochs: number | null;
  queue: string | null;
  validation_metrics: TrialRecord['validationMetrics'];
  model: TrialRecord['model'];
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}

const TRIAL_COLUMNS = `id, project_id, dataset_version_id, params, status, epochs, queue,
  validation_metrics, model, error, started_at, finished_at`;

/**
 * Inserts a trial or updates its outcome. The first write sets `startedAt`.
 * `finishedAt` is set when the status first leaves `running`, and cleared
 * if it goes back to `running`.
 */
export async function upsertTrial(db: Db, trial: Omit<TrialRecord, 'startedAt' | 'finishedAt'>): Promise<TrialRecord> {
  const rows = await db.query<TrialRow>(
    `insert into trials (project_id, id, dataset_version_id, params, status, epochs, queue,
       validation_metrics, model, error, finished_at)
     values ($1, $2, $3, $4::jsonb, $5, $6, $7, $8::jsonb, $9::jsonb, $10,
       case when $5::text = 'running' then null else now() end)
     on conflict (project_id, id) do update set
       status = excluded.status,
       epochs = excluded.epochs,
       queue = excluded.queue,
       validation_metrics = excluded.validation_metrics,
       model = excluded.model,
       error = excluded.error,
       finished_at = case when excluded.status = 'running' then null
                          else coalesce(trials.finished_at, now()) end
     returning ${TRIAL_COLUMNS}`,
    [
      trial.projectId,
      trial.id,
      trial.datasetVersionId,
      jsonParam(trial.params),
      trial.status,
      trial.epochs,
      trial.queue,
      jsonParam(trial.validationMetrics),
      jsonParam(trial.model),
      trial.error,
    ],
  );
  return toTrial(rows[0]!);
}

/** Returns the project's trials in the order they started. */
export async function listTrials(db: Db, projectId: string): Promise<TrialRecord[]> {
  const rows = await db.query<TrialRow>(
    `select ${TRIAL_COLUMNS} from trials where project_id = $1 order by seq`,
    [projectId],
  );
  return rows.map(toTrial);
}

function toTrial(row: TrialRow): TrialRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    datasetVersionId: row.dataset_version_id,
    params: row.params,
    status: row.status,
    epochs: row.epochs,
    queue: row.queue,
    validationMetrics: row.validation_metrics,
    model: row.model,
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
