import type { ArtifactRef } from '../core/types.js';
import { lockProject } from './registry-models.js';
import { firstOrNull, jsonParam } from './sql.js';
import type { Db, DeploymentRecord, PredictionInsert } from './types.js';

interface DeploymentRow {
  id: string;
  project_id: string;
  model_version_id: string;
  onnx: ArtifactRef;
  preprocessor: ArtifactRef;
  threshold: number;
  status: DeploymentRecord['status'];
  deployed_at: Date;
  retired_at: Date | null;
}

const DEPLOYMENT_COLUMNS = `id, project_id, model_version_id, onnx, preprocessor, threshold, status,
  deployed_at, retired_at`;

/**
 * Makes a deployment the project's active one and retires the previous
 * active one, in one transaction. Repeating the call with a stored id
 * returns that deployment as it is now, retired or not, and changes
 * nothing. Throws NotFoundError for an unknown project.
 */
export function activateDeployment(
  db: Db,
  deployment: Omit<DeploymentRecord, 'status' | 'deployedAt' | 'retiredAt'>,
): Promise<DeploymentRecord> {
  return db.transaction(async (tx) => {
    await lockProject(tx, deployment.projectId);
    const existing = await readDeployment(tx, 'id = $1', deployment.id);
    if (existing) return existing;

    await tx.query(
      `update deployments set status = 'retired', retired_at = now()
       where project_id = $1 and status = 'active'`,
      [deployment.projectId],
    );
    const rows = await tx.query<DeploymentRow>(
      `insert into deployments (id, project_id, model_version_id, onnx, preprocessor, threshold, status)
       values ($1, $2, $3, $4::jsonb, $5::jsonb, $6, 'active')
       returning ${DEPLOYMENT_COLUMNS}`,
      [
        deployment.id,
        deployment.projectId,
        deployment.modelVersionId,
        jsonParam(deployment.onnx),
        jsonParam(deployment.preprocessor),
        deployment.threshold,
      ],
    );
    return toDeployment(rows[0]!);
  });
}

/** Returns the project's active deployment, or null when nothing is deployed. */
export function getActiveDeployment(db: Db, projectId: string): Promise<DeploymentRecord | null> {
  return readDeployment(db, "project_id = $1 and status = 'active'", projectId);
}

async function readDeployment(db: Db, condition: string, value: string): Promise<DeploymentRecord | null> {
  const rows = await db.query<DeploymentRow>(`select ${DEPLOYMENT_COLUMNS} from deployments where ${condition}`, [
    value,
  ]);
  const row = firstOrNull(rows);
  return row && toDeployment(row);
}

function toDeployment(row: DeploymentRow): DeploymentRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    modelVersionId: row.model_version_id,
    onnx: row.onnx,
    preprocessor: row.preprocessor,
    threshold: row.threshold,
    status: row.status,
    deployedAt: row.deployed_at,
    retiredAt: row.retired_at,
  };
}

/**
 * Inserts predictions with one statement whatever their number: the batch
 * travels as a single JSON parameter, which also keeps clear of the 65,535
 * parameter limit of the Postgres protocol.
 */
export async function insertPredictions(db: Db, rows: PredictionInsert[]): Promise<void> {
  if (rows.length === 0) return;
  const batch = rows.map((row) => ({
    project_id: row.projectId,
    deployment_id: row.deploymentId,
    model_version_id: row.modelVersionId,
    inputs: row.inputs,
    probability: row.probability,
    label: row.label,
    latency_ms: row.latencyMs,
  }));
  await db.query(
    `insert into predictions
       (project_id, deployment_id, model_version_id, inputs, probability, label, latency_ms)
     select project_id, deployment_id, model_version_id, inputs, probability, label, latency_ms
     from jsonb_to_recordset($1::jsonb) as batch (
       project_id text, deployment_id text, model_version_id text, inputs jsonb,
       probability double precision, label smallint, latency_ms double precision)`,
    [JSON.stringify(batch)],
  );
}

/**
 * Returns the inputs of predictions logged for a deployment, oldest first,
 * from `since` (inclusive) when given. Without `limit` it returns them all.
 */
export async function listPredictionInputs(
  db: Db,
  deploymentId: string,
  options: { since?: Date; limit?: number } = {},
): Promise<Record<string, string | number | null>[]> {
  const rows = await db.query<{ inputs: Record<string, string | number | null> }>(
    `select inputs from predictions
     where deployment_id = $1 and ($2::timestamptz is null or created_at >= $2::timestamptz)
     order by created_at, id
     limit $3`,
    [deploymentId, options.since ?? null, options.limit ?? null],
  );
  return rows.map((row) => row.inputs);
}

/** Counts the predictions logged for a deployment. */
export async function countPredictions(db: Db, deploymentId: string): Promise<number> {
  const rows = await db.query<{ count: number }>(
    'select count(*)::integer as count from predictions where deployment_id = $1',
    [deploymentId],
  );
  return rows[0]!.count;
}
