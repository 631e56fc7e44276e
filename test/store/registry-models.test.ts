import { describe, expect, it } from 'vitest';
import { DatabaseError, NotFoundError } from '../../store/errors.js';
import { SqlRegistry } from '../../store/registry.js';
import type { ApprovalRecord } from '../../store/types.js';
import { describeEachBackend } from './backends.js';
import { artifactRef, freshId, modelInput, seedModel, seedProject, trialInput } from './fixtures.js';

describeEachBackend('SqlRegistry models', (db) => {
  const registry = () => new SqlRegistry(db());

  /** Creates `count` trials in a new project and returns the project id and the trial ids. */
  async function projectWithTrials(count: number): Promise<{ projectId: string; trialIds: string[] }> {
    const { projectId, datasetVersionId } = await seedProject(registry());
    const trialIds: string[] = [];
    for (let i = 0; i < count; i += 1) {
      trialIds.push((await registry().upsertTrial(trialInput(projectId, datasetVersionId))).id);
    }
    return { projectId, trialIds };
  }

  describe('createModelVersion', () => {
    it('numbers versions 1, 2, 3 within each project', async () => {
      const a = await projectWithTrials(2);
      const b = await projectWithTrials(1);

      const versions = [
        await registry().createModelVersion(modelInput(a.projectId, a.trialIds[0]!)),
        await registry().createModelVersion(modelInput(b.projectId, b.trialIds[0]!)),
        await registry().createModelVersion(modelInput(a.projectId, a.trialIds[1]!)),
      ];

      expect(versions.map((model) => model.version)).toEqual([1, 1, 2]);
    });

    it('stores every field and reads it back', async () => {
      const { projectId, trialIds } = await projectWithTrials(1);
      const input = modelInput(projectId, trialIds[0]!);

      const created = await registry().createModelVersion(input);

      expect(created).toMatchObject({ ...input, version: 1, onnx: null });
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(await registry().getModelVersion(input.id)).toEqual(created);
    });

    it('returns the stored version for a repeated trial', async () => {
      const { projectId, trialIds } = await projectWithTrials(1);
      const first = await registry().createModelVersion(modelInput(projectId, trialIds[0]!));

      const again = await registry().createModelVersion(modelInput(projectId, trialIds[0]!));

      expect(again).toEqual(first);
    });

    it('throws NotFoundError for an unknown project', async () => {
      const projectId = freshId('missing');

      const attempt = registry().createModelVersion(modelInput(projectId, 'trial-1'));

      await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
      await expect(attempt).rejects.toThrow(`project "${projectId}" not found`);
    });

    it('rejects a trial that was never recorded', async () => {
      const { projectId } = await projectWithTrials(0);

      const attempt = registry().createModelVersion(modelInput(projectId, freshId('trial')));

      await expect(attempt).rejects.toBeInstanceOf(DatabaseError);
      await expect(attempt).rejects.toMatchObject({ operation: 'insert into model_versions', sqlState: '23503' });
    });

    it('gives concurrent calls distinct consecutive numbers', async () => {
      const { projectId, trialIds } = await projectWithTrials(8);
      const inputs = trialIds.map((trialId) => modelInput(projectId, trialId));

      const created = await Promise.all([...inputs, ...inputs].map((input) => registry().createModelVersion(input)));

      const versionByTrial = new Map(created.map((model) => [model.trialId, model.version]));
      expect([...versionByTrial.values()].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      for (const model of created) expect(model.version).toBe(versionByTrial.get(model.trialId));
    });
  });

  describe('getModelVersion', () => {
    it('returns null for an unknown id', async () => {
      expect(await registry().getModelVersion(freshId('missing'))).toBeNull();
    });
  });

  describe('setModelStage', () => {
    it('changes the stage', async () => {
      const { modelVersionId } = await seedModel(registry());

      await registry().setModelStage(modelVersionId, 'champion');

      expect((await registry().getModelVersion(modelVersionId))!.stage).toBe('champion');
    });

    it('rejects a stage outside the list', async () => {
      const { modelVersionId } = await seedModel(registry());

      const attempt = registry().setModelStage(modelVersionId, 'production' as 'champion');

      await expect(attempt).rejects.toMatchObject({ operation: 'update model_versions', sqlState: '23514' });
    });

    it('throws NotFoundError for an unknown id', async () => {
      const id = freshId('missing');

      const attempt = registry().setModelStage(id, 'archived');

      await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
      await expect(attempt).rejects.toThrow(`model version "${id}" not found`);
    });
  });

  describe('setModelOnnx', () => {
    it('attaches the ONNX artifact', async () => {
      const { modelVersionId } = await seedModel(registry());
      const onnx = artifactRef('e', 'application/onnx');

      await registry().setModelOnnx(modelVersionId, onnx);

      expect((await registry().getModelVersion(modelVersionId))!.onnx).toEqual(onnx);
    });

    it('throws NotFoundError for an unknown id', async () => {
      const id = freshId('missing');

      await expect(registry().setModelOnnx(id, artifactRef('e'))).rejects.toThrow(`model version "${id}" not found`);
    });
  });

  describe('recordApproval', () => {
    function approvalInput(projectId: string, modelVersionId: string): Omit<ApprovalRecord, 'decidedAt'> {
      return {
        id: freshId('approval'),
        projectId,
        modelVersionId,
        decision: 'approve',
        approver: 'ana',
        comment: 'metrics look good',
        channel: 'update',
      };
    }

    it('stores an approval with the given decision time', async () => {
      const { projectId, modelVersionId } = await seedModel(registry());
      const decidedAt = new Date('2026-03-01T10:00:00.123Z');
      const input = { ...approvalInput(projectId, modelVersionId), decidedAt };

      const stored = await registry().recordApproval(input);

      expect(stored).toEqual(input);
      expect(await registry().listApprovals(projectId)).toEqual([stored]);
    });

    it('defaults the decision time to now', async () => {
      const { projectId, modelVersionId } = await seedModel(registry());
      const before = Date.now();

      const stored = await registry().recordApproval(approvalInput(projectId, modelVersionId));

      expect(stored.decidedAt.getTime()).toBeGreaterThanOrEqual(before - 1_000);
      expect(stored.decidedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    });

    it('returns the first record for a repeated id', async () => {
      const { projectId, modelVersionId } = await seedModel(registry());
      const input = approvalInput(projectId, modelVersionId);
      const first = await registry().recordApproval(input);

      const again = await registry().recordApproval({ ...input, decision: 'reject', comment: 'changed my mind' });

      expect(again).toEqual(first);
      expect(await registry().listApprovals(projectId)).toHaveLength(1);
    });

    it('lists approvals by decision time', async () => {
      const { projectId, modelVersionId } = await seedModel(registry());
      const late = await registry().recordApproval({
        ...approvalInput(projectId, modelVersionId),
        decidedAt: new Date('2026-03-02T00:00:00Z'),
      });
      const early = await registry().recordApproval({
        ...approvalInput(projectId, modelVersionId),
        decision: 'expire',
        channel: 'timer',
        decidedAt: new Date('2026-03-01T00:00:00Z'),
      });

      expect(await registry().listApprovals(projectId)).toEqual([early, late]);
    });
  });
});
