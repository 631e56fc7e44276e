/**
 * Serving benchmark: trains and approves the credit-scoring example on the
 * embedded stack (PGlite, or Postgres when DATABASE_URL is set), then
 * measures POST /predict over HTTP on 127.0.0.1 and the in-process scorers
 * side by side.
 *
 *   npx tsx bench/serving.ts [--requests 2000] [--concurrency 8]
 *
 * Prints a Markdown table on stdout; logs go to stderr.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config.js';
import { predictDense } from '../core/dense.js';
import { OnnxScorer } from '../core/onnx/scorer.js';
import { transformRecords } from '../core/preprocess.js';
import { recordsAt, type FeatureRecord } from '../core/records.js';
import { parseSpecText, resolveSpecPaths } from '../core/spec-file.js';
import type { DenseModel, FittedPreprocessor, SplitIndices, TypedDataset } from '../core/types.js';
import { createLogger, installTemporalRuntime } from '../infra/logger.js';
import { startStack, type RunningStack } from '../infra/stack.js';
import { freePort, percentile, post, waitForStage } from './support.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
  },
});
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);

const logger = createLogger('warn');
installTemporalRuntime(logger, 'warn');
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fullcycle-bench-'));
const config = loadConfig(
  {
    ...process.env,
    FULLCYCLE_DATA_DIR: dataDir,
    FULLCYCLE_API_PORT: '0',
    FULLCYCLE_TEMPORAL_PORT: String(await freePort()),
    FULLCYCLE_TEMPORAL_UI_PORT: String(await freePort()),
    FULLCYCLE_LOG_LEVEL: 'warn',
  },
  process.cwd(),
);
const stack = await startStack({ config, logger, api: true, workers: ['main', 'training-cpu'] });
try {
  await run(stack);
} finally {
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}

async function run(stack: RunningStack): Promise<void> {
  const api = stack.apiUrl!;
  const specPath = path.resolve('examples/credit-scoring/spec.yaml');
  const spec = resolveSpecPaths(
    parseSpecText(await readFile(specPath, 'utf8'), 'yaml'),
    path.dirname(specPath),
  );
  await post(api, '/v1/projects?id=bench', spec);
  await waitForStage(api, 'bench', 'awaiting_approval');
  await post(api, '/v1/projects/bench/approvals', { decision: 'approve', approver: 'bench' });
  const view = await waitForStage(api, 'bench', 'serving');

  const version = (await stack.registry.getDatasetVersion(view.dataset.versionId))!;
  const dataset = await stack.artifacts.getJson<TypedDataset>(version.artifacts.dataset);
  const { test } = await stack.artifacts.getJson<SplitIndices>(version.artifacts.splits);
  const rows = recordsAt(dataset, test);
  const rssBefore = process.memoryUsage().rss;

  const single = await loadTest(api, rows, 1);
  const batch = await loadTest(api, rows, 100, Math.ceil(REQUESTS / 10));
  const rssAfter = process.memoryUsage().rss;

  const preprocessor = await stack.artifacts.getJson<FittedPreprocessor>(
    version.artifacts.preprocessor,
  );
  const model = await stack.artifacts.getJson<DenseModel>(
    (await stack.registry.getModelVersion(view.candidate.modelVersionId))!.model,
  );
  const onnx = await stack.artifacts.get(view.deployment.onnx);
  const inProcess = await compareScorers(onnx, model, preprocessor, rows);

  const lines = [
    `Serving benchmark, ${new Date().toISOString()}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, registry ${stack.db.kind}`,
    '',
    '| scenario | requests | rows/request | concurrency | p50 ms | p95 ms | p99 ms | requests/s | rows/s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    row('HTTP /predict', single),
    row('HTTP /predict', batch),
    '',
    '| in-process scorer | rows/call | µs/call (median) | ratio to ONNX |',
    '| --- | --- | --- | --- |',
    ...inProcess.map(
      (r) => `| ${r.name} | ${r.rows} | ${r.medianUs.toFixed(1)} | ${r.ratio.toFixed(2)} |`,
    ),
    '',
    `Process RSS (API, workers, ${stack.db.kind} registry and load generator in one process): ${mb(rssBefore)} MiB before the load, ${mb(rssAfter)} MiB after.`,
    `Predictions logged: ${await stack.registry.countPredictions(view.deployment.deploymentId)}.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

interface LoadResult {
  requests: number;
  rowsPerRequest: number;
  latenciesMs: number[];
  elapsedMs: number;
}

/** Sends `requests` POST /predict calls, CONCURRENCY at a time, cycling through the test rows. */
async function loadTest(
  api: string,
  rows: FeatureRecord[],
  rowsPerRequest: number,
  requests = REQUESTS,
): Promise<LoadResult> {
  const bodyFor = (i: number) => ({
    rows: Array.from({ length: rowsPerRequest }, (_, k) => rows[(i + k) % rows.length]),
  });
  for (let i = 0; i < 50; i++) await post(api, '/v1/projects/bench/predict', bodyFor(i));

  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    for (let i = next++; i < requests; i = next++) {
      const t0 = performance.now();
      await post(api, '/v1/projects/bench/predict', bodyFor(i));
      latenciesMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return { requests, rowsPerRequest, latenciesMs, elapsedMs: performance.now() - started };
}

function row(name: string, r: LoadResult): string {
  const perSecond = (r.requests / r.elapsedMs) * 1000;
  const cells = [
    name,
    r.requests,
    r.rowsPerRequest,
    CONCURRENCY,
    percentile(r.latenciesMs, 0.5).toFixed(2),
    percentile(r.latenciesMs, 0.95).toFixed(2),
    percentile(r.latenciesMs, 0.99).toFixed(2),
    perSecond.toFixed(0),
    (perSecond * r.rowsPerRequest).toFixed(0),
  ];
  return `| ${cells.join(' | ')} |`;
}

/** Times ONNX scoring against the plain-TypeScript reference path, interleaved call by call. */
async function compareScorers(
  onnxBytes: Uint8Array,
  model: DenseModel,
  pre: FittedPreprocessor,
  rows: FeatureRecord[],
) {
  const scorer = await OnnxScorer.load(onnxBytes, pre);
  const results = [];
  for (const size of [1, 100]) {
    const sample = rows.slice(0, size);
    const onnxUs: number[] = [];
    const referenceUs: number[] = [];
    for (let i = 0; i < 500; i++) {
      let t0 = performance.now();
      await scorer.score(sample);
      onnxUs.push((performance.now() - t0) * 1000);
      t0 = performance.now();
      predictDense(model, transformRecords(sample, pre));
      referenceUs.push((performance.now() - t0) * 1000);
    }
    const onnxMedian = percentile(onnxUs, 0.5);
    const referenceMedian = percentile(referenceUs, 0.5);
    results.push({ name: 'onnxruntime (served path)', rows: size, medianUs: onnxMedian, ratio: 1 });
    results.push({
      name: 'TypeScript reference',
      rows: size,
      medianUs: referenceMedian,
      ratio: referenceMedian / onnxMedian,
    });
  }
  await scorer.release();
  return results;
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}
