import type { ArtifactRef } from '../core/types.js';
import { NotFoundError } from './errors.js';
import { firstOrNull, insertOrRead, jsonParam, readById } from './sql.js';
import type { ApprovalRecord, Db, ModelStage, ModelVersionRecord } from './types.js';

interface ModelVersionRow {
  id: string;
  project_id: string;
  trial_id: string;
  version: number;
  stage: ModelStage;
  validation_metrics: ModelVersionRecord['validationMetrics'];
  test_metrics: ModelVersionRecord['testMetrics'];
  gates: ModelVersionRecord['gates'];
  model: ArtifactRef;
  onnx: ArtifactRef | null;
  created_at: Date;
}

const MODEL_VERSION_COLUMNS = `id, project_id, trial_id, version, stage, validation_metrics,
  test_metrics, gates, model, onnx, created_at`;

/**
 * Inserts a model version numbered one past the project's highest, or
 * returns the version already stored for the same trial. The project row is
 * locked for the transaction, so concurrent calls get distinct numbers.
 * Throws NotFoundError for an unknown project.
 */
export function createModelVersion(
  db: Db,
  model: Omit<ModelVersionRecord, 'version' | 'createdAt' | 'onnx'>,
): Promise<ModelVersionRecord> {
  return db.transaction(async (tx) => {
    await lockProject(tx, model.projectId);
    const existing = await tx.query<ModelVersionRow>(
      `select ${MODEL_VERSION_COLUMNS} from model_versions where project_id = $1 and trial_id = $2`,
      [model.projectId, model.trialId],
    );
    if (existing[0]) return toModelVersion(existing[0]);

    const [next] = await tx.query<{ version: number }>(
      'select coalesce(max(version), 0) + 1 as version from model_versions where project_id = $1',
      [model.projectId],
    );
    const rows = await tx.query<ModelVersionRow>(
      `insert into model_versions
         (id, project_id, trial_id, version, stage, validation_metrics, test_metrics, gates, model)
       values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9::jsonb)
       returning ${MODEL_VERSION_COLUMNS}`,
      [
        model.id,
        model.projectId,
        model.trialId,
        next!.version,
        model.stage,
        jsonParam(model.validationMetrics),
        jsonParam(model.testMetrics),
        jsonParam(model.gates),
        jsonParam(model.model),
      ],
    );
    return toModelVersion(rows[0]!);
  });
}

/** Returns the model version, or null when no version has this id. */
export async function getModelVersion(db: Db, id: string): Promise<ModelVersionRecord | null> {
  const rows = await db.query<ModelVersionRow>(`select ${MODEL_VERSION_COLUMNS} from model_versions where id = $1`, [
    id,
  ]);
  const row = firstOrNull(rows);
  return row && toModelVersion(row);
}

/** Sets a model version's stage. Throws NotFoundError for an unknown id. */
export async function setModelStage(db: Db, id: string, stage: ModelStage): Promise<void> {
  const rows = await db.query('update model_versions set stage = $2 where id = $1 returning id', [id, stage]);
  if (!rows[0]) throw new NotFoundError('model version', id);
}

/** Attaches the ONNX export to a model version. Throws NotFoundError for an unknown id. */
export async function setModelOnnx(db: Db, id: string, onnx: ArtifactRef): Promise<void> {
  const rows = await db.query('update model_versions set onnx = $2::jsonb where id = $1 returning id', [
    id,
    jsonParam(onnx),
  ]);
  if (!rows[0]) throw new NotFoundError('model version', id);
}

/** Locks the project row until the transaction ends. Throws NotFoundError for an unknown project. */
export async function lockProject(tx: Db, projectId: string): Promise<void> {
  const rows = await tx.query('select id from projects where id = $1 for update', [projectId]);
  if (!rows[0]) throw new NotFoundError('project', projectId);
}

function toModelVersion(row: ModelVersionRow): ModelVersionRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    trialId: row.trial_id,
    version: row.version,
    stage: row.stage,
    validationMetrics: row.validation_metrics,
    testMetrics: row.test_metrics,
    gates: row.gates,
    model: row.model,
    onnx: row.onnx,
    createdAt: row.created_at,
  };
}

interface ApprovalRow {
  id: string;
  project_id: string;
  model_version_id: string;
  decision: ApprovalRecord['decision'];
  approver: string;
  comment: string;
  channel: ApprovalRecord['channel'];
  decided_at: Date;
}

const APPROVAL_COLUMNS = 'id, project_id, model_version_id, decision, approver, comment, channel, decided_at';

/**
 * Inserts an approval, or returns the stored one with the same id unchanged.
 * `decidedAt` defaults to the database's current time.
 */
export async function recordApproval(
  db: Db,
  approval: Omit<ApprovalRecord, 'decidedAt'> & { decidedAt?: Date },
): Promise<ApprovalRecord> {
  const row = await insertOrRead(
    db,
    `insert into approvals (id, project_id, model_version_id, decision, approver, comment, channel, decided_at)
     values ($1, $2, $3, $4, $5, $6, $7, coalesce($8::timestamptz, now()))
     on conflict (id) do nothing
     returning ${APPROVAL_COLUMNS}`,
    [
      approval.id,
      approval.projectId,
      approval.modelVersionId,
      approval.decision,
      approval.approver,
      approval.comment,
      approval.channel,
      approval.decidedAt ?? null,
    ],
    () => readById<ApprovalRow>(db, `select ${APPROVAL_COLUMNS} from approvals`, approval.id),
  );
  return toApproval(row);
}

/** Returns the project's approvals, oldest decision first. */
export async function listApprovals(db: Db, projectId: string): Promise<ApprovalRecord[]> {
  const rows = await db.query<ApprovalRow>(
    `select ${APPROVAL_COLUMNS} from approvals where project_id = $1 order by decided_at, seq`,
    [projectId],
  );
  return rows.map(toApproval);
}

function toApproval(row: ApprovalRow): ApprovalRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    modelVersionId: row.model_version_id,
    decision: row.decision,
    approver: row.approver,
    comment: row.comment,
    channel: row.channel,
    decidedAt: row.decided_at,
  };
}
