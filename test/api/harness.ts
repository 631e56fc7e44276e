import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundle } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.js';
import { loadConfig, type AppConfig } from '../../core/config.js';
import { LocalArtifactStore } from '../../store/artifacts.js';
import { migrate } from '../../store/migrate.js';
import { SqlRegistry } from '../../store/registry.js';
import { createWorkers } from '../../workers/workers.js';
import { createDatabase, type BackendName, type TestDatabase } from '../store/backends.js';
import { repoPath } from '../support/temporal.js';

/** The folder that API tests allow data paths in; relative spec paths resolve against it. */
export const EXAMPLES_ROOT = repoPath('examples');

/** A migrated registry, an artifact store and an app on one backend, with optional workers. */
export interface ApiHarness {
  backend: BackendName;
  app: FastifyInstance;
  config: AppConfig;
  registry: SqlRegistry;
  artifacts: LocalArtifactStore;
  close(): Promise<void>;
}

/** Options of one harness. */
export interface HarnessOptions {
  backend: BackendName;
  env: TestWorkflowEnvironment;
  /** Runs real workers (main and training-cpu) when a bundle is given. */
  workflowBundle?: WorkflowBundle;
  apiToken?: string;
  /** Extra environment variables for loadConfig. */
  configEnv?: Record<string, string>;
}

/**
 * Builds the app against a fresh database on `backend`, a LocalArtifactStore
 * in a temporary folder and the test environment's Temporal client, and
 * starts workers when asked. `close` stops everything and deletes the folder.
 */
export async function startApiHarness(options: HarnessOptions): Promise<ApiHarness> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'fullcycle-api-'));
  const database: TestDatabase = await createDatabase(options.backend);
  await migrate(database.db);
  const config = loadConfig(
    {
      FULLCYCLE_DATA_DIR: folder,
      FULLCYCLE_DATA_ROOTS: EXAMPLES_ROOT,
      FULLCYCLE_API_TOKEN: options.apiToken,
      FULLCYCLE_TRAINING_CONCURRENCY: '2',
      ...options.configEnv,
    },
    folder,
  );
  const registry = new SqlRegistry(database.db);
  const artifacts = new LocalArtifactStore(path.join(folder, 'artifacts'));
  const app = await buildApp({ config, registry, artifacts, temporal: options.env.client });
  const running = options.workflowBundle ? await runWorkers(options, { registry, artifacts, config }) : null;

  const close = async (): Promise<void> => {
    await app.close();
    // Workers of the next harness poll the same task queues, so no workflow of this one may run on.
    await terminateWorkflows(options.env, registry);
    await running?.stop();
    await database.destroy();
    await rm(folder, { recursive: true, force: true });
  };
  return { backend: options.backend, app, config, registry, artifacts, close };
}

async function terminateWorkflows(env: TestWorkflowEnvironment, registry: SqlRegistry): Promise<void> {
  const projects = await registry.listProjects({ limit: 1000 });
  await Promise.all(
    projects.map((project) =>
      env.client.workflow
        .getHandle(project.workflowId)
        .terminate('test finished')
        .catch(() => undefined),
    ),
  );
}

async function runWorkers(
  options: HarnessOptions,
  deps: { registry: SqlRegistry; artifacts: LocalArtifactStore; config: AppConfig },
): Promise<{ stop(): Promise<void> }> {
  const workers: Worker[] = await createWorkers({
    connection: options.env.nativeConnection,
    namespace: options.env.namespace ?? 'default',
    deps,
    roles: ['main', 'training-cpu'],
    workflowBundle: options.workflowBundle!,
  });
  const runs = workers.map((worker) => worker.run());
  return {
    stop: async () => {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await Promise.allSettled(runs);
    },
  };
}

/** Returns the backends to run API suites on: PGlite always, Postgres when the test run has a server. */
export function apiBackends(postgresUrl: string): BackendName[] {
  if (postgresUrl === '') console.warn('API tests run on PGlite only: the test run has no Postgres server');
  return postgresUrl === '' ? ['pglite'] : ['pglite', 'postgres'];
}

/**
 * Returns a small spec on the German credit data: one logistic regression trial of
 * 30 epochs, so a run takes seconds. Data paths are relative to EXAMPLES_ROOT.
 */
export function smallCreditSpec(name: string): Record<string, unknown> {
  return {
    name,
    owner: 'credit-risk-team',
    data: {
      source: { type: 'file', path: 'credit-scoring/german_credit.data' },
      format: { delimiter: ' ', header: false, columnsFile: 'credit-scoring/german_credit.columns.txt' },
      target: { column: 'class', positiveClass: '2' },
      rules: { minRows: 500, minRowsPerClass: 100 },
    },
    training: {
      models: [{ family: 'logistic_regression', learningRate: [0.05], l2: [0.001], epochs: [30], batchSize: [64] }],
      search: { strategy: 'grid', maxTrials: 1, seed: 7 },
      parallelism: 1,
    },
    evaluation: { threshold: 0.1667, gates: [{ metric: 'auc', min: 0.6 }] },
    monitoring: { interval: '1h', minPredictions: 5 },
  };
}
