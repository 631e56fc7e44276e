import { setTimeout } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DatabaseError, NotFoundError } from '../../store/errors.js';
import { SqlRegistry } from '../../store/registry.js';
import type { DeploymentRecord, PredictionInsert } from '../../store/types.js';
import { describeEachBackend } from './backends.js';
import { artifactRef, freshId, seedModel } from './fixtures.js';

describeEachBackend('SqlRegistry serving', (db) => {
  const registry = () => new SqlRegistry(db());

  function deploymentInput(projectId: string, modelVersionId: string): Omit<DeploymentRecord, 'status' | 'deployedAt' | 'retiredAt'> {
    return {
      id: freshId('deployment'),
      projectId,
      modelVersionId,
      onnx: artifactRef('a', 'application/onnx'),
      preprocessor: artifactRef('b', 'application/json'),
      threshold: 0.42,
    };
  }

  /** Creates a model with an active deployment and returns their ids. */
  async function deployed(): Promise<{ projectId: string; modelVersionId: string; deploymentId: string }> {
    const { projectId, modelVersionId } = await seedModel(registry());
    const deployment = await registry().activateDeployment(deploymentInput(projectId, modelVersionId));
    return { projectId, modelVersionId, deploymentId: deployment.id };
  }

  function predictions(ids: { projectId: string; modelVersionId: string; deploymentId: string }, count: number): PredictionInsert[] {
    return Array.from({ length: count }, (_, i) => ({
      ...ids,
      inputs: { age: 30 + i, purpose: i % 2 === 0 ? 'car' : null, note: `it's "quoted" \\ ${i}` },
      probability: i / count,
      label: i % 2,
      latencyMs: 1.5,
    }));
  }

  describe('activateDeployment', () => {
    it('makes the first deployment active', async () => {
      const { projectId, modelVersionId } = await seedModel(registry());
      const input = deploymentInput(projectId, modelVersionId);

      const deployment = await registry().activateDeployment(input);

      expect(deployment).toMatchObject({ ...input, status: 'active', retiredAt: null });
      expect(deployment.deployedAt).toBeInstanceOf(Date);
      expect(await registry().getActiveDeployment(projectId)).toEqual(deployment);
    });

    it('retires the previous active deployment', async () => {
      const { projectId, modelVersionId } = await seedModel(registry());
      const first = await registry().activateDeployment(deploymentInput(projectId, modelVersionId));

      const second = await registry().activateDeployment(deploymentInput(projectId, modelVersionId));

      expect(await registry().getActiveDeployment(projectId)).toEqual(second);
      const [retired] = await db().query<{ status: string; retired_at: Date | null }>(
        'select status, retired_at from deployments where id = $1',
        [first.id],
      );
      expect(retired!.status).toBe('retired');
      expect(retired!.retired_at).toBeInstanceOf(Date);
    });

    it('changes nothing when repeated with the same id', async () => {
      const { projectId, modelVersionId } = await seedModel(registry());
      const input = deploymentInput(projectId, modelVersionId);
      const first = await registry().activateDeployment(input);

      const again = await registry().activateDeployment(input);

      expect(again).toEqual(first);
      expect(await registry().getActiveDeployment(projectId)).toEqual(first);
    });

    it('keeps one active deployment under concurrent calls', async () => {
      const { projectId, modelVersionId } = await seedModel(registry());
      const inputs = Array.from({ length: 5 }, () => deploymentInput(projectId, modelVersionId));

      await Promise.all(inputs.map((input) => registry().activateDeployment(input)));

      const rows = await db().query('select id from deployments where project_id = $1 and status = $2', [projectId, 'active']);
      expect(rows).toHaveLength(1);
    });

    it('rejects a second active row in the database', async () => {
      const { projectId, modelVersionId, deploymentId } = await deployed();

      const attempt = db().query(
        `insert into deployments (id, project_id, model_version_id, onnx, preprocessor, threshold, status)
         select $1, project_id, model_version_id, onnx, preprocessor, threshold, status from deployments where id = $2`,
        [freshId('deployment'), deploymentId],
      );

      await expect(attempt).rejects.toMatchObject({ operation: 'insert into deployments', sqlState: '23505' });
      expect((await registry().getActiveDeployment(projectId))!.modelVersionId).toBe(modelVersionId);
    });

    it('throws NotFoundError for an unknown project', async () => {
      const projectId = freshId('missing');

      const attempt = registry().activateDeployment(deploymentInput(projectId, 'model-1'));

      await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
      await expect(attempt).rejects.toThrow(`project "${projectId}" not found`);
    });
  });

  describe('getActiveDeployment', () => {
    it('returns null before the first deployment', async () => {
      const { projectId } = await seedModel(registry());

      expect(await registry().getActiveDeployment(projectId)).toBeNull();
    });
  });

  describe('insertPredictions', () => {
    it('stores a batch and returns inputs oldest first', async () => {
      const ids = await deployed();
      const rows = predictions(ids, 5);

      await registry().insertPredictions(rows);

      expect(await registry().countPredictions(ids.deploymentId)).toBe(5);
      expect(await registry().listPredictionInputs(ids.deploymentId)).toEqual(rows.map((row) => row.inputs));
    });

    it('stores a batch larger than the parameter limit', async () => {
      const ids = await deployed();

      await registry().insertPredictions(predictions(ids, 12_000));

      expect(await registry().countPredictions(ids.deploymentId)).toBe(12_000);
    });

    it('does nothing for an empty batch', async () => {
      const ids = await deployed();

      await registry().insertPredictions([]);

      expect(await registry().countPredictions(ids.deploymentId)).toBe(0);
    });

    it('rejects the whole batch when one row is invalid', async () => {
      const ids = await deployed();
      const rows = predictions(ids, 3);
      rows[2] = { ...rows[2]!, probability: 1.5 };

      const attempt = registry().insertPredictions(rows);

      await expect(attempt).rejects.toBeInstanceOf(DatabaseError);
      await expect(attempt).rejects.toMatchObject({ operation: 'insert into predictions', sqlState: '23514' });
      expect(await registry().countPredictions(ids.deploymentId)).toBe(0);
    });
  });

  describe('listPredictionInputs', () => {
    it('applies since and limit', async () => {
      const ids = await deployed();
      await registry().insertPredictions(predictions(ids, 2));
      await setTimeout(5);
      const since = new Date();
      await setTimeout(5);
      const later = predictions(ids, 3);
      await registry().insertPredictions(later);

      const inputs = await registry().listPredictionInputs(ids.deploymentId, { since, limit: 2 });

      expect(inputs).toEqual([later[0]!.inputs, later[1]!.inputs]);
    });
  });

  describe('monitoring runs', () => {
    it('stores a run once and lists newest first', async () => {
      const { projectId, deploymentId } = await deployed();
      const drift = [{ feature: 'age', type: 'numeric' as const, psi: 0.3, bins: [{ label: '<30', reference: 0.4, current: 0.6 }] }];
      const older = await registry().insertMonitoringRun({ id: freshId('run'), projectId, deploymentId, predictions: 40, drift, maxPsi: 0.3, alerts: ['alert-1'] });
      const newer = await registry().insertMonitoringRun({ id: freshId('run'), projectId, deploymentId, predictions: 0, drift: [], maxPsi: null, alerts: [] });

      const repeated = await registry().insertMonitoringRun({ ...older, predictions: 99 });

      expect(repeated).toEqual(older);
      expect(older).toMatchObject({ drift, maxPsi: 0.3, alerts: ['alert-1'] });
      expect(await registry().listMonitoringRuns(projectId)).toEqual([newer, older]);
      expect(await registry().listMonitoringRuns(projectId, { limit: 1 })).toEqual([newer]);
    });
  });

  describe('alerts', () => {
    it('stores an alert once and lists newest first', async () => {
      const { projectId } = await deployed();
      const first = await registry().insertAlert({
        id: freshId('alert'),
        projectId,
        kind: 'drift',
        severity: 'warning',
        message: 'age drifted: PSI 0.31',
        details: { feature: 'age', psi: 0.31 },
      });
      const second = await registry().insertAlert({ id: freshId('alert'), projectId, kind: 'volume', severity: 'info', message: 'no traffic', details: null });

      const repeated = await registry().insertAlert({ ...first, message: 'other' });

      expect(repeated).toEqual(first);
      expect(first.details).toEqual({ feature: 'age', psi: 0.31 });
      expect(await registry().listAlerts(projectId)).toEqual([second, first]);
    });

    it('rejects an unknown severity', async () => {
      const { projectId } = await deployed();

      const attempt = registry().insertAlert({ id: freshId('alert'), projectId, kind: 'drift', severity: 'fatal' as 'critical', message: 'x', details: null });

      await expect(attempt).rejects.toMatchObject({ operation: 'insert into alerts', sqlState: '23514' });
    });
  });

  describe('reports', () => {
    it('returns the latest report', async () => {
      const { projectId } = await deployed();
      expect(await registry().getLatestReport(projectId)).toBeNull();
      await registry().insertReport({ id: freshId('report'), projectId, json: artifactRef('c'), html: artifactRef('d') });

      const latest = await registry().insertReport({ id: freshId('report'), projectId, json: artifactRef('e'), html: artifactRef('f') });

      expect(latest).toMatchObject({ json: artifactRef('e'), html: artifactRef('f') });
      expect(await registry().getLatestReport(projectId)).toEqual(latest);
      expect(await registry().insertReport({ ...latest, json: artifactRef('0') })).toEqual(latest);
    });
  });

  describe('audit log', () => {
    it('lists entries in the order appended', async () => {
      const { projectId } = await deployed();
      await registry().appendAudit({ projectId, actor: 'ana', action: 'project.created', details: { spec: 'v1' } });
      await registry().appendAudit({ projectId, actor: 'system', action: 'model.approved', details: null });

      const entries = await registry().listAudit(projectId);

      expect(entries.map(({ actor, action, details }) => ({ actor, action, details }))).toEqual([
        { actor: 'ana', action: 'project.created', details: { spec: 'v1' } },
        { actor: 'system', action: 'model.approved', details: null },
      ]);
      expect(typeof entries[0]!.id).toBe('number');
      expect(entries[1]!.id).toBeGreaterThan(entries[0]!.id);
      expect(entries[0]!.createdAt).toBeInstanceOf(Date);
    });

    it('accepts an entry without a project', async () => {
      await registry().appendAudit({ projectId: null, actor: 'ops', action: 'server.started', details: null });

      const rows = await db().query("select actor from audit_log where project_id is null and action = 'server.started'");

      expect(rows.length).toBeGreaterThan(0);
    });

    it.each([
      ['UPDATE', "update audit_log set actor = 'mallory'", 'update audit_log'],
      ['DELETE', 'delete from audit_log', 'delete from audit_log'],
      ['TRUNCATE', 'truncate audit_log', 'truncate audit_log'],
    ])('rejects %s', async (operation, sql, described) => {
      await registry().appendAudit({ projectId: null, actor: 'ops', action: 'probe', details: null });

      const attempt = db().query(sql);

      await expect(attempt).rejects.toBeInstanceOf(DatabaseError);
      await expect(attempt).rejects.toThrow(
        `database ${described} failed: audit_log is append-only: ${operation} is not allowed (SQLSTATE 23001)`,
      );
    });
  });
});
