/**
 * The whole lifecycle on the German credit data against real components:
 * the Temporal CLI dev server, Postgres, the workers with the real
 * activities, TensorFlow.js, onnxruntime and the HTTP API on a real port.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { predictDense } from '../../core/dense.js';
import { transformRows } from '../../core/preprocess.js';
import { recordsAt } from '../../core/records.js';
import type { DeliveryReport } from '../../core/report.js';
import type {
  DenseModel,
  FittedPreprocessor,
  SplitIndices,
  TypedDataset,
} from '../../core/types.js';
import { createLogger } from '../../infra/logger.js';
import { startStack, type RunningStack } from '../../infra/stack.js';
import { creditSpec } from '../support/spec.js';
import { createTestDatabase } from '../support/postgres.js';
import { repoPath, waitFor } from '../support/temporal.js';

const postgresUrl = inject('postgresUrl');

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * ROC AUC as the share of (positive, negative) pairs ranked correctly, ties
 * counting one half: the textbook definition, computed pair by pair, kept
 * apart from core/metrics.ts on purpose.
 */
function pairwiseAuc(labels: number[], scores: number[]): number {
  let correct = 0;
  let pairs = 0;
  labels.forEach((label, i) => {
    if (label !== 1) return;
    labels.forEach((other, j) => {
      if (other !== 0) return;
      pairs += 1;
      if (scores[i]! > scores[j]!) correct += 1;
      else if (scores[i] === scores[j]) correct += 0.5;
    });
  });
  return correct / pairs;
}

describe.skipIf(!postgresUrl)('credit scoring lifecycle', () => {
  let stack: RunningStack;
  let api: string;
  let dataRoot: string;
  let dropDatabase: () => Promise<void>;

  beforeAll(async () => {
    const database = await createTestDatabase(postgresUrl);
    dropDatabase = database.drop;
    dataRoot = await mkdtemp(path.join(os.tmpdir(), 'fullcycle-e2e-'));
    const config = loadConfig(
      {
        DATABASE_URL: database.url,
        FULLCYCLE_DATA_DIR: path.join(dataRoot, 'state'),
        FULLCYCLE_DATA_ROOTS: `${repoPath('examples')},${path.join(dataRoot, 'uploads')}`,
        FULLCYCLE_API_PORT: '0',
        FULLCYCLE_TEMPORAL_PORT: String(await freePort()),
        FULLCYCLE_TEMPORAL_UI_PORT: String(await freePort()),
        FULLCYCLE_LOG_LEVEL: 'warn',
      },
      repoPath('.'),
    );
    stack = await startStack({
      config,
      logger: createLogger('warn'),
      api: true,
      workers: ['main', 'training-cpu'],
    });
    api = stack.apiUrl!;
  });

  afterAll(async () => {
    await stack?.stop();
    await dropDatabase?.();
    if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
  });

  const call = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${api}${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  };
  const stageOf = (id: string, stages: string[]) =>
    waitFor(
      async () => (await call('GET', `/v1/projects/${id}`)).body,
      (view) => stages.includes(view.stage) || view.stage === 'failed',
      180_000,
      250,
    );

  it('runs every stage and serves the approved model', async () => {
    const created = await call('POST', '/v1/projects?id=german-e2e', creditSpec());
    expect(created.status).toBe(201);
    expect(created.body.workflowId).toBe('project-german-e2e');

    const training = await waitFor(
      async () => (await call('GET', '/v1/projects/german-e2e')).body,
      (view) => view.runningTrials?.some((trial: { epoch: number }) => trial.epoch >= 1),
      60_000,
      100,
    );
    const running = training.runningTrials.find((trial: { epoch: number }) => trial.epoch >= 1);
    expect(training.stage).toBe('training');
    expect(running.trialId).toMatch(/^(lr|mlp)-\d{2}$/);
    expect(running.epochs).toBe(150);

    const waiting = await stageOf('german-e2e', ['awaiting_approval']);
    expect(waiting.stage).toBe('awaiting_approval');
    expect(waiting.dataset).toMatchObject({
      rows: 1000,
      features: 20,
      splitRows: { train: 600, validation: 200, test: 200 },
    });
    expect(waiting.trials).toHaveLength(6);
    expect(waiting.trials.every((trial: { status: string }) => trial.status === 'completed')).toBe(
      true,
    );
    expect(waiting.candidate.testMetrics.auc).toBeGreaterThanOrEqual(0.74);
    expect(waiting.candidate.gates.every((gate: { passed: boolean }) => gate.passed)).toBe(true);

    const listed = await waitFor(
      async () => {
        const found: string[] = [];
        const query = 'FullcycleProject = "german-e2e" AND FullcycleStage = "awaiting_approval"';
        for await (const execution of stack.temporal.client.workflow.list({ query }))
          found.push(execution.workflowId);
        return found;
      },
      (found) => found.length === 1,
      15_000,
    );
    expect(listed).toEqual(['project-german-e2e']);

    const wrongVersion = await call('POST', '/v1/projects/german-e2e/approvals', {
      decision: 'approve',
      approver: 'Dana Reyes',
      modelVersionId: 'not-the-candidate',
    });
    expect(wrongVersion.status).toBe(409);
    const approved = await call('POST', '/v1/projects/german-e2e/approvals', {
      decision: 'approve',
      approver: 'Dana Reyes',
      comment: 'gates passed',
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      decision: 'approve',
      approver: 'Dana Reyes',
      channel: 'update',
    });

    const serving = await stageOf('german-e2e', ['serving']);
    expect(serving.stage).toBe('serving');
    const completed = serving.stageHistory.filter(
      (record: { outcome: string }) => record.outcome === 'completed',
    );
    expect(completed.map((record: { stage: string }) => record.stage)).toEqual([
      'initiation',
      'data',
      'training',
      'evaluation',
      'awaiting_approval',
      'deployment',
      'delivery',
    ]);
    expect(serving.deployment.onnxMaxAbsDiff).toBeLessThan(1e-4);

    // Score the whole test split through the API and check it against the reference scorer.
    const version = (await stack.registry.getDatasetVersion(serving.dataset.versionId))!;
    const dataset = await stack.artifacts.getJson<TypedDataset>(version.artifacts.dataset);
    const { test } = await stack.artifacts.getJson<SplitIndices>(version.artifacts.splits);
    const preprocessor = await stack.artifacts.getJson<FittedPreprocessor>(
      version.artifacts.preprocessor,
    );
    const model = await stack.artifacts.getJson<DenseModel>(
      (await stack.registry.getModelVersion(serving.candidate.modelVersionId))!.model,
    );
    const predicted = await call('POST', '/v1/projects/german-e2e/predict', {
      rows: recordsAt(dataset, test),
    });
    expect(predicted.status).toBe(200);
    const probabilities: number[] = predicted.body.predictions.map(
      (p: { probability: number }) => p.probability,
    );
    const reference = predictDense(model, transformRows(dataset, test, preprocessor));
    const maxDiff = Math.max(...probabilities.map((p, i) => Math.abs(p - reference[i]!)));
    expect(maxDiff).toBeLessThan(1e-5);
    const labels = test.map((row) => dataset.labels[row]!);
    expect(pairwiseAuc(labels, probabilities)).toBeCloseTo(serving.candidate.testMetrics.auc, 4);

    const check = await call('POST', '/v1/projects/german-e2e/monitoring/run', {});
    expect(check.status).toBe(200);
    expect(check.body.predictions).toBe(200);
    expect(check.body.drift).toHaveLength(20);

    // The Postgres registry contains the audit trail of every step.
    expect(stack.db.kind).toBe('postgres');
    expect(await stack.registry.countPredictions(serving.deployment.deploymentId)).toBe(200);
    const approvals = await stack.registry.listApprovals('german-e2e');
    expect(approvals.map((a) => [a.decision, a.approver, a.channel])).toEqual([
      ['approve', 'Dana Reyes', 'update'],
    ]);
    expect((await stack.registry.getModelVersion(serving.candidate.modelVersionId))!.stage).toBe(
      'champion',
    );
    const audit = await stack.registry.listAudit('german-e2e');
    expect(
      audit
        .filter((entry) => entry.action === 'stage_entered')
        .map((entry) => (entry.details as { stage: string }).stage),
    ).toEqual([
      'initiation',
      'data',
      'training',
      'evaluation',
      'awaiting_approval',
      'deployment',
      'delivery',
      'serving',
    ]);

    const report = await call('GET', '/v1/projects/german-e2e/report');
    expect(report.status).toBe(200);
    const json = report.body as DeliveryReport;
    expect(json.data?.sha256).toBe(serving.dataset.sha256);
    expect(json.evaluation.candidate?.testMetrics.auc).toBe(serving.candidate.testMetrics.auc);
    expect(json.approvals[0]).toMatchObject({ approver: 'Dana Reyes', comment: 'gates passed' });
    expect(json.deployment?.modelVersionId).toBe(serving.candidate.modelVersionId);
    expect(json.monitoring.last?.predictions).toBe(200);
    const html = await call('GET', '/v1/projects/german-e2e/report?format=html');
    expect(html.status).toBe(200);
    expect(html.body).toContain('Dana Reyes');
  });

  it('fails the data stage on a file that breaks validation', async () => {
    const uploads = path.join(dataRoot, 'uploads');
    await import('node:fs/promises').then((fs) => fs.mkdir(uploads, { recursive: true }));
    const lines = (
      await readFile(repoPath('examples/credit-scoring/german_credit.data'), 'utf8')
    ).split('\n');
    const fields = lines[6]!.split(' ');
    fields[1] = 'twelve';
    lines[6] = fields.join(' ');
    await writeFile(path.join(uploads, 'broken.data'), lines.join('\n'));

    const spec = creditSpec();
    spec.data.source.path = path.join(uploads, 'broken.data');
    spec.data.schema = { duration_months: 'numeric' };
    const created = await call('POST', '/v1/projects?id=german-broken', spec);
    expect(created.status).toBe(201);

    const failed = await stageOf('german-broken', ['failed']);
    expect(failed.stage).toBe('failed');
    expect(failed.error.stage).toBe('data');
    expect(failed.error.type).toBe('DATA_INVALID');
    expect(failed.error.message).toContain('column "duration_months", line 7');
    expect(failed.error.message).toContain('rule numeric');
    expect(failed.error.message).toContain('"twelve"');
    // The registry write follows the in-memory stage change, so wait for it.
    const record = await waitFor(
      () => stack.registry.getProject('german-broken'),
      (project) => project?.stage === 'failed',
      15_000,
    );
    expect(record?.stage).toBe('failed');
    expect(record?.error?.type).toBe('DATA_INVALID');
  });

  it('rejects an invalid spec and starts nothing', async () => {
    const spec = creditSpec() as unknown as Record<string, any>;
    spec['name'] = 'Bad Name!';
    spec['data'].split.train = 1.5;
    const response = await call('POST', '/v1/projects?id=bad-spec', spec);
    expect(response.status).toBe(400);
    const paths = response.body.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toContain('name');
    expect(paths).toContain('data.split.train');
    expect(await stack.registry.getProject('bad-spec')).toBeNull();
    const handle = stack.temporal.client.workflow.getHandle('project-bad-spec');
    await expect(handle.describe()).rejects.toThrow();
  });
});
