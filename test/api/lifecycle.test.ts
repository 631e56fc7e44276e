/**
 * One project through the whole API with real workers on a Temporal dev
 * server: submit, wait for approval, approve, predict, report, monitor.
 * The tests of a backend share the project and run in order.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../../cli/client.js';
import { runHttpCommand } from '../../cli/commands/index.js';
import { predictDense } from '../../core/dense.js';
import { OnnxScorer } from '../../core/onnx/scorer.js';
import { transformRecords } from '../../core/preprocess.js';
import { recordsAt, type FeatureRecord } from '../../core/records.js';
import type { DenseModel, FittedPreprocessor, TypedDataset } from '../../core/types.js';
import { bundleProjectWorkflows } from '../../workers/bundle.js';
import { createDevServerEnv, waitFor } from '../support/temporal.js';
import { apiBackends, smallCreditSpec, startApiHarness, type ApiHarness } from './harness.js';

/** Time for one small training run to reach the approval stage, with room for a busy machine. */
const STAGE_TIMEOUT_MS = 120_000;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;

// Workers log every activity at info; warnings and errors are enough here.
Runtime.install({ logger: new DefaultLogger('WARN') });

beforeAll(async () => {
  [env, bundle] = await Promise.all([createDevServerEnv(), bundleProjectWorkflows()]);
});

afterAll(async () => {
  await env?.teardown();
});

describe.each(apiBackends(inject('postgresUrl')))('project lifecycle over HTTP (%s)', (backend) => {
  let h: ApiHarness;
  let projectId: string;
  let rows: FeatureRecord[];

  beforeAll(async () => {
    h = await startApiHarness({ backend, env, workflowBundle: bundle });
  });

  afterAll(async () => {
    await h?.close();
  });

  const get = (url: string) => h.app.inject({ url });
  const post = (url: string, payload?: object, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url, headers, ...(payload ? { payload } : {}) });
  const waitForStage = (stage: string) =>
    waitFor(
      async () => (await get(`/v1/projects/${projectId}`)).json(),
      (project) => project.stage === stage || project.stage === 'failed',
      STAGE_TIMEOUT_MS,
      250,
    );

  it('creates the project with 201', async () => {
    const response = await post('/v1/projects', smallCreditSpec('credit-api'), {
      'x-fullcycle-user': 'ana',
    });

    expect(response.statusCode).toBe(201);
    projectId = response.json().id;
    expect(response.headers.location).toBe(`/v1/projects/${projectId}`);
  });

  it('rejects early approval with 409', async () => {
    const response = await post(`/v1/projects/${projectId}/approvals`, {
      decision: 'approve',
      approver: 'Risk Officer',
    });

    expect(response.statusCode).toBe(409);
    expect(response.json().error).toBe('conflict');
    expect(response.json().message).toMatch(
      new RegExp(
        `^no model awaits approval: project ${projectId} is in stage (initiation|data|training|evaluation)$`,
      ),
    );
  });

  it('rejects early monitoring with 409', async () => {
    const response = await post(`/v1/projects/${projectId}/monitoring/run`);

    expect(response.statusCode).toBe(409);
    expect(response.json().message).toMatch(/^no model is serving: project is in stage \w+$/);
  });

  it('reaches awaiting_approval with candidate', async () => {
    const project = await waitForStage('awaiting_approval');

    expect(project.error).toBeNull();
    expect(project.stage).toBe('awaiting_approval');
    expect(project.source).toBe('workflow');
    expect(project.stageHistory.map((entry: { stage: string }) => entry.stage)).toEqual([
      'initiation',
      'data',
      'training',
      'evaluation',
      'awaiting_approval',
    ]);
    expect(
      project.stageHistory.every((entry: { durationMs: number }) => entry.durationMs >= 0),
    ).toBe(true);
    expect(project.dataset).toMatchObject({ rows: 1000, features: 20 });
    expect(project.trials).toHaveLength(1);
    expect(project.trials[0]).toMatchObject({
      status: 'completed',
      queue: 'fullcycle-training-cpu',
    });
    expect(project.candidate.gates).toEqual([
      expect.objectContaining({ metric: 'auc', min: 0.6, passed: true }),
    ]);
    expect(project.candidate.testMetrics.auc).toBeGreaterThan(0.6);
    expect(project.pendingApproval.modelVersionId).toBe(project.candidate.modelVersionId);
  });

  it('rejects early predictions with 409', async () => {
    const response = await post(`/v1/projects/${projectId}/predict`, { row: {} });

    expect(response.statusCode).toBe(409);
    // The registry may not yet have recorded the stage that the workflow's query already shows.
    expect(response.json().message).toMatch(
      new RegExp(
        `^project ${projectId} has no deployed model \\(last recorded stage: (evaluation|awaiting_approval)\\)$`,
      ),
    );
  });

  it('rejects approval for other version', async () => {
    const body = { decision: 'approve', approver: 'Risk Officer', modelVersionId: 'mv-other' };
    const response = await post(`/v1/projects/${projectId}/approvals`, body);

    expect(response.statusCode).toBe(409);
    expect(response.json().message).toMatch(
      /^model version mv-other does not await approval: \S+ does$/,
    );
  });

  it('approves with header approver', async () => {
    const response = await post(
      `/v1/projects/${projectId}/approvals`,
      { decision: 'approve', comment: 'metrics reviewed' },
      { 'x-fullcycle-user': 'Risk Officer' },
    );

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      decision: 'approve',
      approver: 'Risk Officer',
      comment: 'metrics reviewed',
      channel: 'update',
    });
  });

  it('reaches serving after approval', async () => {
    const project = await waitForStage('serving');

    expect(project.stage).toBe('serving');
    expect(project.deployment.modelVersionId).toBe(project.candidate.modelVersionId);
    expect(project.approval.decision).toBe('approve');
    const approvals = await h.registry.listApprovals(projectId);
    expect(approvals.map((approval) => approval.approver)).toEqual(['Risk Officer']);
  });

  it('rejects missing feature by path', async () => {
    rows = await sampleRows(h, projectId, 5);
    const { duration_months: _dropped, ...incomplete } = rows[0]!;

    const response = await post(`/v1/projects/${projectId}/predict`, {
      rows: [rows[1], incomplete],
    });

    expect(response.statusCode).toBe(400);
    expect(response.json().issues).toEqual([
      {
        part: 'body',
        path: 'rows.1.duration_months',
        message: 'is required; send null when the value is unknown',
      },
    ]);
  });

  it('rejects numeric feature as string', async () => {
    const response = await post(`/v1/projects/${projectId}/predict`, {
      row: { ...rows[0], duration_months: '12' },
    });

    expect(response.statusCode).toBe(400);
    expect(response.json().issues).toEqual([
      {
        part: 'body',
        path: 'row.duration_months',
        value: '12',
        message: 'must be a JSON number, not a string; send 12 without quotes',
      },
    ]);
  });

  it('scores rows like reference scorers', async () => {
    const response = await post(`/v1/projects/${projectId}/predict`, { rows });

    expect(response.statusCode).toBe(200);
    const body = response.json();
    const deployment = (await h.registry.getActiveDeployment(projectId))!;
    expect(body).toMatchObject({
      projectId,
      deploymentId: deployment.id,
      modelVersionId: deployment.modelVersionId,
      threshold: 0.1667,
    });
    const probabilities: number[] = body.predictions.map(
      (prediction: { probability: number }) => prediction.probability,
    );
    for (const probability of probabilities) {
      expect(probability).toBeGreaterThanOrEqual(0);
      expect(probability).toBeLessThanOrEqual(1);
    }
    expect(body.predictions.map((prediction: { label: number }) => prediction.label)).toEqual(
      probabilities.map((probability) => (probability >= 0.1667 ? 1 : 0)),
    );

    const reference = await referenceScores(h, projectId, rows);
    expect(probabilities).toEqual(Array.from(reference.onnx));
    reference.dense.forEach((score, index) => expect(probabilities[index]).toBeCloseTo(score, 4));
  });

  it('logs every prediction', async () => {
    const deployment = (await h.registry.getActiveDeployment(projectId))!;

    // Only the 5-row request above succeeded; rejected requests log nothing.
    expect(await h.registry.countPredictions(deployment.id)).toBe(5);
    expect(await h.registry.listPredictionInputs(deployment.id)).toEqual(rows);
  });

  it('serves report as JSON and HTML', async () => {
    const json = await get(`/v1/projects/${projectId}/report`);
    const html = await get(`/v1/projects/${projectId}/report?format=html`);
    const negotiated = await h.app.inject({
      url: `/v1/projects/${projectId}/report`,
      headers: { accept: 'text/html,*/*' },
    });

    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.json().project).toMatchObject({ id: projectId, name: 'credit-api' });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.body).toMatch(/^<!doctype html>/i);
    expect(html.body).toContain(projectId);
    expect(negotiated.body).toBe(html.body);
  });

  it('runs monitoring on logged predictions', async () => {
    const response = await post(`/v1/projects/${projectId}/monitoring/run`);

    expect(response.statusCode).toBe(200);
    const check = response.json();
    expect(check.predictions).toBe(5);
    expect(check.drift.length).toBeGreaterThan(0);
    expect(check.maxPsi).toBeGreaterThanOrEqual(0);
  });

  it('CLI prints status, predictions, monitoring', async () => {
    const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const client = new ApiClient({ baseUrl: address, user: 'ana' });
    const folder = await mkdtemp(path.join(os.tmpdir(), 'fullcycle-cli-'));
    const cli = async (...argv: string[]) => {
      let stdout = '';
      const io = {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stdout += text) },
      };
      const code = await runHttpCommand(argv, io, { client, cwd: folder });
      return { code, stdout };
    };
    try {
      const status = await cli('status', projectId);
      const predict = await cli('predict', projectId, '--row', JSON.stringify(rows[0]));
      const monitor = await cli('monitor', projectId);
      const report = await cli('report', projectId, '--html', 'report.html');

      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(
        new RegExp(`^${projectId} \\(credit-api\\)\n  stage:     serving\n`),
      );
      expect(status.stdout).toMatch(/^  serving\s+running\s+\d/m);
      expect(status.stdout).toMatch(/^Deployment \S+ serves \S+ since /m);
      expect(predict.code).toBe(0);
      expect(predict.stdout).toMatch(/^ROW  PROBABILITY  LABEL\n0\s+0\.\d+\s+[01]\n$/m);
      expect(monitor.code).toBe(0);
      expect(monitor.stdout).toMatch(/^Checked 6 predictions at /);
      expect(report.code).toBe(0);
      expect(await readFile(path.join(folder, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/i);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('lists project with its stage', async () => {
    const response = await get('/v1/projects');

    expect(response.statusCode).toBe(200);
    expect(response.json().projects).toContainEqual(
      expect.objectContaining({
        id: projectId,
        name: 'credit-api',
        owner: 'credit-risk-team',
        stage: 'serving',
      }),
    );
  });
});

/** Returns the raw feature values of the first rows of the project's data set, as a client would send them. */
async function sampleRows(
  h: ApiHarness,
  projectId: string,
  count: number,
): Promise<FeatureRecord[]> {
  const { dataset } = (await (await h.app.inject({ url: `/v1/projects/${projectId}` })).json()) as {
    dataset: { versionId: string };
  };
  const version = (await h.registry.getDatasetVersion(dataset.versionId))!;
  const typed = await h.artifacts.getJson<TypedDataset>(version.artifacts.dataset);
  return recordsAt(
    typed,
    Array.from({ length: count }, (_, index) => index),
  );
}

/** Scores rows with onnxruntime on the deployed ONNX bytes and with the plain-JS reference on the trained model. */
async function referenceScores(
  h: ApiHarness,
  projectId: string,
  records: FeatureRecord[],
): Promise<{ onnx: Float32Array; dense: Float32Array }> {
  const deployment = (await h.registry.getActiveDeployment(projectId))!;
  const preprocessor = await h.artifacts.getJson<FittedPreprocessor>(deployment.preprocessor);
  const modelVersion = (await h.registry.getModelVersion(deployment.modelVersionId))!;
  const model = await h.artifacts.getJson<DenseModel>(modelVersion.model);

  const scorer = await OnnxScorer.load(await h.artifacts.get(deployment.onnx), preprocessor);
  try {
    const onnx = await scorer.score(records);
    return { onnx, dense: predictDense(model, transformRecords(records, preprocessor)) };
  } finally {
    await scorer.release();
  }
}
