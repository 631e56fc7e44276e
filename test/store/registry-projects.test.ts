import { setTimeout } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DatabaseError, NotFoundError, ProjectExistsError } from '../../store/errors.js';
import { SqlRegistry } from '../../store/registry.js';
import { describeEachBackend } from './backends.js';
import { artifactRef, datasetInput, freshId, METRICS, projectInput, seedProject, SPEC, trialInput } from './fixtures.js';

describeEachBackend('SqlRegistry projects', (db) => {
  const registry = () => new SqlRegistry(db());

  describe('createProject', () => {
    it('stores the project with defaults', async () => {
      const input = projectInput();

      const created = await registry().createProject(input);

      expect(created).toMatchObject({ ...input, stage: 'created', status: null, error: null });
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(created.updatedAt).toEqual(created.createdAt);
      expect(await registry().getProject(input.id)).toEqual(created);
    });

    it('keeps the spec intact', async () => {
      const created = await registry().createProject(projectInput());

      expect((await registry().getProject(created.id))!.spec).toEqual(SPEC);
    });

    it('throws ProjectExistsError for a taken id', async () => {
      const input = projectInput();
      await registry().createProject(input);

      const attempt = registry().createProject({ ...input, workflowId: `${input.workflowId}-other` });

      await expect(attempt).rejects.toBeInstanceOf(ProjectExistsError);
      await expect(attempt).rejects.toThrow(
        `project "${input.id}" already exists; choose another id or open the existing project`,
      );
      await expect(attempt).rejects.toMatchObject({ code: 'PROJECT_EXISTS', projectId: input.id });
    });

    it('rejects a workflow id used by another project', async () => {
      const first = await registry().createProject(projectInput());

      const attempt = registry().createProject({ ...projectInput(), workflowId: first.workflowId });

      await expect(attempt).rejects.toBeInstanceOf(DatabaseError);
      await expect(attempt).rejects.toMatchObject({ operation: 'insert into projects', sqlState: '23505' });
    });
  });

  describe('deleteProject', () => {
    it('deletes a project with nothing recorded against it', async () => {
      const { id } = await registry().createProject(projectInput());
      await registry().appendAudit({ projectId: id, actor: 'api', action: 'project.created', details: null });

      expect(await registry().deleteProject(id)).toBe(true);
      expect(await registry().getProject(id)).toBeNull();
      expect(await registry().listAudit(id)).toHaveLength(1);
    });

    it('returns false for an unknown id', async () => {
      expect(await registry().deleteProject(freshId('missing'))).toBe(false);
    });

    it('rejects a project that has a dataset version', async () => {
      const { projectId } = await seedProject(registry());

      const attempt = registry().deleteProject(projectId);

      await expect(attempt).rejects.toBeInstanceOf(DatabaseError);
      await expect(attempt).rejects.toMatchObject({ operation: 'delete from projects', sqlState: '23503' });
      expect(await registry().getProject(projectId)).not.toBeNull();
    });

    it('frees the id for a new project', async () => {
      const input = projectInput();
      await registry().createProject(input);
      await registry().deleteProject(input.id);

      expect((await registry().createProject(input)).id).toBe(input.id);
    });
  });

  describe('getProject', () => {
    it('returns null for an unknown id', async () => {
      expect(await registry().getProject(freshId('missing'))).toBeNull();
    });
  });

  describe('listProjects', () => {
    it('lists newest first with limit and offset', async () => {
      const ids = [];
      for (let i = 0; i < 3; i += 1) ids.push((await registry().createProject(projectInput())).id);

      const page = await registry().listProjects({ limit: 2 });
      const next = await registry().listProjects({ limit: 1, offset: 2 });

      expect(page.map((project) => project.id)).toEqual([ids[2], ids[1]]);
      expect(next.map((project) => project.id)).toEqual([ids[0]]);
    });
  });

  describe('updateProjectStatus', () => {
    it('stores stage, status and error', async () => {
      const { id, createdAt } = await registry().createProject(projectInput());
      const error = { stage: 'training', type: 'TrainingFailed', message: 'every trial failed' };
      // PGlite's clock has millisecond resolution, so let it tick past createdAt.
      await setTimeout(5);

      await registry().updateProjectStatus(id, { stage: 'failed', status: { trials: 3 }, error });

      const stored = await registry().getProject(id);
      expect(stored).toMatchObject({ stage: 'failed', status: { trials: 3 }, error });
      expect(stored!.updatedAt.getTime()).toBeGreaterThan(createdAt.getTime());
    });

    it('clears the error when none is given', async () => {
      const { id } = await registry().createProject(projectInput());
      await registry().updateProjectStatus(id, {
        stage: 'failed',
        status: null,
        error: { stage: 'training', type: 'X', message: 'y' },
      });

      await registry().updateProjectStatus(id, { stage: 'training', status: { retry: true } });

      expect(await registry().getProject(id)).toMatchObject({ stage: 'training', status: { retry: true }, error: null });
    });

    it('throws NotFoundError for an unknown project', async () => {
      const id = freshId('missing');

      const attempt = registry().updateProjectStatus(id, { stage: 'training', status: null });

      await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
      await expect(attempt).rejects.toThrow(`project "${id}" not found`);
    });
  });

  describe('upsertDatasetVersion', () => {
    it('stores a version and reads it back', async () => {
      const { id: projectId } = await registry().createProject(projectInput());
      const input = datasetInput(projectId);

      const stored = await registry().upsertDatasetVersion(input);

      expect(stored).toMatchObject(input);
      expect(stored.createdAt).toBeInstanceOf(Date);
      expect(await registry().getDatasetVersion(input.id)).toEqual(stored);
    });

    it('returns the stored version for a repeated id', async () => {
      const { id: projectId } = await registry().createProject(projectInput());
      const input = datasetInput(projectId);
      const first = await registry().upsertDatasetVersion(input);

      const second = await registry().upsertDatasetVersion({ ...input, sourcePath: '/elsewhere.csv' });

      expect(second).toEqual(first);
    });

    it('returns null for an unknown id', async () => {
      expect(await registry().getDatasetVersion(freshId('missing'))).toBeNull();
    });
  });

  describe('upsertTrial', () => {
    it('starts a running trial without a finish time', async () => {
      const { projectId, datasetVersionId } = await seedProject(registry());
      const input = trialInput(projectId, datasetVersionId);

      const trial = await registry().upsertTrial(input);

      expect(trial).toMatchObject(input);
      expect(trial.startedAt).toBeInstanceOf(Date);
      expect(trial.finishedAt).toBeNull();
    });

    it('records the outcome and keeps the start time', async () => {
      const { projectId, datasetVersionId } = await seedProject(registry());
      const input = trialInput(projectId, datasetVersionId);
      const started = await registry().upsertTrial(input);
      const outcome = { status: 'completed' as const, epochs: 42, validationMetrics: METRICS, model: artifactRef('9') };

      const finished = await registry().upsertTrial({ ...input, ...outcome });
      const repeated = await registry().upsertTrial({ ...input, ...outcome });

      expect(finished).toMatchObject({ ...input, ...outcome, startedAt: started.startedAt });
      expect(finished.finishedAt).toBeInstanceOf(Date);
      expect(repeated.finishedAt).toEqual(finished.finishedAt);
    });

    it('keeps trial ids separate per project', async () => {
      const a = await seedProject(registry());
      const b = await seedProject(registry());

      await registry().upsertTrial(trialInput(a.projectId, a.datasetVersionId, 'trial-1'));
      await registry().upsertTrial({ ...trialInput(b.projectId, b.datasetVersionId, 'trial-1'), status: 'failed', error: 'out of memory' });

      expect((await registry().listTrials(a.projectId)).map((trial) => trial.status)).toEqual(['running']);
      expect((await registry().listTrials(b.projectId)).map((trial) => trial.error)).toEqual(['out of memory']);
    });

    it('rejects an unknown status', async () => {
      const { projectId, datasetVersionId } = await seedProject(registry());
      const input = { ...trialInput(projectId, datasetVersionId), status: 'paused' as 'running' };

      const attempt = registry().upsertTrial(input);

      await expect(attempt).rejects.toMatchObject({ operation: 'insert into trials', sqlState: '23514' });
    });
  });

  describe('listTrials', () => {
    it('lists trials in start order', async () => {
      const { projectId, datasetVersionId } = await seedProject(registry());
      const first = await registry().upsertTrial(trialInput(projectId, datasetVersionId));
      const second = await registry().upsertTrial(trialInput(projectId, datasetVersionId));

      const trials = await registry().listTrials(projectId);

      expect(trials).toEqual([first, second]);
    });
  });
});
