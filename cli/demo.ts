import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { AppConfig } from '../core/config.js';
import { recordsAt } from '../core/records.js';
import { parseSpecText, resolveSpecPaths } from '../core/spec-file.js';
import type { SplitIndices, TypedDataset } from '../core/types.js';
import { startStack, type RunningStack } from '../infra/stack.js';
import type { ProjectDetail } from '../api/schemas.js';
import type { MonitoringCheck } from '../workflows/contracts.js';
import { formatSummary, type DemoSummary } from './demo-summary.js';

const SPEC_PATH = fileURLToPath(new URL('../examples/credit-scoring/spec.yaml', import.meta.url));
const APPROVER = 'Dana Reyes (credit risk officer)';
/** Rows of the test split sent to /predict: the whole split of the example (200 rows). */
const PREDICTION_ROWS = 200;
const STAGE_TIMEOUT_MS = 10 * 60_000;

type ProjectView = ProjectDetail;

/**
 * Runs the credit-scoring example end to end on the embedded stack, through
 * the HTTP API as a user would: submit, wait for approval, approve, predict,
 * check drift, fetch the report. Returns the process exit code: 0 only when
 * every stage completed.
 */
export async function runDemo(
  config: AppConfig,
  logger: Logger,
  options: { json: boolean },
): Promise<number> {
  const started = Date.now();
  const stack = await startStack({ config, logger, api: true, workers: ['main', 'training-cpu'] });
  try {
    const summary = await walkThrough(stack, logger);
    summary.durationMs = Date.now() - started;
    process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
    return summary.ok ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

async function walkThrough(stack: RunningStack, logger: Logger): Promise<DemoSummary> {
  const api = apiClient(stack.apiUrl!);
  // Submitted as JSON with absolute paths, as `fullcycle submit` does.
  const spec = resolveSpecPaths(
    parseSpecText(await readFile(SPEC_PATH, 'utf8'), 'yaml', SPEC_PATH),
    path.dirname(SPEC_PATH),
  );
  const created = await api.send<{ id: string; workflowId: string }>('POST', '/v1/projects', spec);
  logger.info({ projectId: created.id }, 'Demo project submitted');

  const waiting = await waitForStage(api, created.id, ['awaiting_approval'], logger);
  if (waiting.stage !== 'awaiting_approval') return failedSummary(stack, waiting);

  await api.send('POST', `/v1/projects/${created.id}/approvals`, {
    decision: 'approve',
    approver: APPROVER,
    comment: 'Test AUC and KS pass the gates; approved for the pilot portfolio.',
  });
  const serving = await waitForStage(api, created.id, ['serving'], logger);
  if (serving.stage !== 'serving') return failedSummary(stack, serving);

  const { rows, actual } = await testRows(stack, serving);
  const predicted = await api.send<{ predictions: { probability: number; label: number }[] }>(
    'POST',
    `/v1/projects/${created.id}/predict`,
    { rows },
  );
  const check = await api.send<MonitoringCheck>(
    'POST',
    `/v1/projects/${created.id}/monitoring/run`,
    {},
  );
  const final = await api.send<ProjectView>('GET', `/v1/projects/${created.id}`);
  const report = await saveReport(stack, api, created.id);

  return buildSummary(stack, final, {
    predictions: predicted.predictions.map((prediction, i) => ({
      ...prediction,
      actual: actual[i]!,
    })),
    check,
    report,
  });
}

async function waitForStage(
  api: ApiClient,
  projectId: string,
  targetStages: string[],
  logger: Logger,
): Promise<ProjectView> {
  const endStates = ['failed', 'rejected', 'approval_expired', 'no_candidate'];
  const deadline = Date.now() + STAGE_TIMEOUT_MS;
  let lastStage = '';
  while (Date.now() < deadline) {
    const view = await api.send<ProjectView>('GET', `/v1/projects/${projectId}`);
    if (view.stage !== lastStage)
      logger.info({ projectId, stage: view.stage }, 'Demo project changed stage');
    lastStage = view.stage;
    if (targetStages.includes(view.stage) || endStates.includes(view.stage)) return view;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `project ${projectId} did not reach ${targetStages.join(' or ')} within ${STAGE_TIMEOUT_MS / 1000} s`,
  );
}

/** Takes raw rows of the test split, as a client application would send them, with their real labels. */
async function testRows(
  stack: RunningStack,
  view: ProjectView,
): Promise<{ rows: object[]; actual: number[] }> {
  // The API view leaves artifact references out; the registry has them.
  const version = await stack.registry.getDatasetVersion(view.dataset!.versionId);
  const dataset = await stack.artifacts.getJson<TypedDataset>(version!.artifacts.dataset);
  const { test } = await stack.artifacts.getJson<SplitIndices>(version!.artifacts.splits);
  const picked = test.slice(0, PREDICTION_ROWS);
  return { rows: recordsAt(dataset, picked), actual: picked.map((row) => dataset.labels[row]!) };
}

async function saveReport(
  stack: RunningStack,
  api: ApiClient,
  projectId: string,
): Promise<{ json: string; html: string }> {
  const folder = path.join(stack.config.dataDir, 'reports');
  await mkdir(folder, { recursive: true });
  const json = path.join(folder, `${projectId}.json`);
  const html = path.join(folder, `${projectId}.html`);
  await writeFile(
    json,
    JSON.stringify(await api.send('GET', `/v1/projects/${projectId}/report`), null, 2),
  );
  await writeFile(html, await api.text(`/v1/projects/${projectId}/report?format=html`));
  return { json, html };
}

function buildSummary(
  stack: RunningStack,
  view: ProjectView,
  extra: {
    predictions: DemoSummary['predictions']['sample'];
    check: MonitoringCheck;
    report: { json: string; html: string };
  },
): DemoSummary {
  const expected = [
    'initiation',
    'data',
    'training',
    'evaluation',
    'awaiting_approval',
    'deployment',
    'delivery',
  ];
  const completed = expected.every((stage) =>
    view.stageHistory.some((record) => record.stage === stage && record.outcome === 'completed'),
  );
  const candidate = view.candidate!;
  return {
    ok: completed && view.stage === 'serving' && extra.check.drift.length > 0,
    project: { id: view.id, workflowId: view.workflowId, stage: view.stage },
    stages: view.stageHistory.map(({ stage, durationMs, outcome }) => ({
      stage,
      durationMs,
      outcome,
    })),
    dataset: view.dataset && {
      versionId: view.dataset.versionId,
      rows: view.dataset.rows,
      splitRows: view.dataset.splitRows,
    },
    trials: view.trials.map((trial) => ({
      trialId: trial.id,
      family: String(trial.params['family']),
      status: trial.status,
      validationAuc: trial.validationMetrics?.auc ?? null,
    })),
    candidate: {
      modelVersionId: candidate.modelVersionId,
      trialId: candidate.trialId,
      family: String(candidate.params['family']),
      testMetrics: candidate.testMetrics,
      gates: candidate.gates,
    },
    approval: view.approval,
    deployment: view.deployment && {
      deploymentId: view.deployment.deploymentId,
      onnxSha256: view.deployment.onnx.sha256,
    },
    predictions: { sent: extra.predictions.length, sample: extra.predictions.slice(0, 5) },
    monitoring: {
      predictions: extra.check.predictions,
      maxPsi: extra.check.maxPsi,
      topDrift: [...extra.check.drift]
        .sort((a, b) => b.psi - a.psi)
        .slice(0, 3)
        .map(({ feature, psi }) => ({ feature, psi })),
      alerts: extra.check.alerts,
    },
    report: extra.report,
    temporalUi:
      stack.temporal.uiUrl &&
      `${stack.temporal.uiUrl}/namespaces/${stack.config.temporalNamespace}/workflows/${view.workflowId}`,
    durationMs: 0,
  };
}

function failedSummary(stack: RunningStack, view: ProjectView): DemoSummary {
  return {
    ok: false,
    project: { id: view.id, workflowId: view.workflowId, stage: view.stage },
    stages: view.stageHistory.map(({ stage, durationMs, outcome }) => ({
      stage,
      durationMs,
      outcome,
    })),
    dataset: null,
    trials: [],
    candidate: null,
    approval: view.approval,
    deployment: null,
    predictions: { sent: 0, sample: [] },
    monitoring: null,
    report: null,
    temporalUi: stack.temporal.uiUrl,
    error: view.error?.message ?? `project ended in stage ${view.stage}`,
    durationMs: 0,
  };
}

interface ApiClient {
  send<T = unknown>(
    method: string,
    route: string,
    body?: unknown,
    contentType?: string,
  ): Promise<T>;
  text(route: string): Promise<string>;
}

function encodeBody(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function apiClient(baseUrl: string): ApiClient {
  const request = async (
    method: string,
    route: string,
    body?: unknown,
    contentType = 'application/json',
  ) => {
    const response = await fetch(`${baseUrl}${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': contentType },
      body: encodeBody(body),
    });
    if (!response.ok)
      throw new Error(
        `${method} ${route} failed with ${response.status}: ${await response.text()}`,
      );
    return response;
  };
  return {
    send: async <T>(method: string, route: string, body?: unknown, contentType?: string) =>
      (await (await request(method, route, body, contentType)).json()) as T,
    text: async (route) => (await request('GET', route)).text(),
  };
}
