import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from '../api/app.js';
import type { AppConfig } from '../core/config.js';
import { LocalArtifactStore } from '../store/artifacts.js';
import { openDb } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { SqlRegistry } from '../store/registry.js';
import type { ArtifactStore, Db, Registry } from '../store/types.js';
import { bundleProjectWorkflows } from '../workers/bundle.js';
import { createWorkers, type WorkerRole } from '../workers/workers.js';
import { lockDataDir, requireFreePort } from './guards.js';
import { connectTemporal, type TemporalHandle } from './temporal.js';

export interface StackOptions {
  config: AppConfig;
  logger: Logger;
  /** Serve the HTTP API; false for a worker-only process. */
  api: boolean;
  /** Worker roles to run in this process; empty for an API-only process. */
  workers: readonly WorkerRole[];
}

/** A running Fullcycle process: whichever of Temporal, workers and API it was asked to run. */
export interface RunningStack {
  config: AppConfig;
  temporal: TemporalHandle;
  db: Db;
  registry: Registry;
  artifacts: ArtifactStore;
  /** `http://host:port` of the API, when this process serves it. */
  apiUrl: string | null;
  /** Stops the API, drains the workers, closes the database and stops the dev server, in that order. */
  stop(): Promise<void>;
}

/**
 * Starts the parts of Fullcycle that `options` requests, in dependency
 * order: Temporal (the embedded dev server unless TEMPORAL_ADDRESS is set),
 * the registry database with its migrations, the artifact store, the
 * workers and the API. A part that fails to start stops the ones before it.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { config, logger } = options;
  await mkdir(path.join(config.dataDir, 'uploads'), { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) =>
        logger.error({ err: error }, 'Stopping a component failed'),
      );
    }
  };

  try {
    // PGlite and the dev server's SQLite file each allow one process per folder.
    if (!config.databaseUrl || !config.temporalAddress)
      cleanups.push(await lockDataDir(config.dataDir));
    if (options.api && config.apiPort !== 0)
      await requireFreePort(config.apiPort, 'FULLCYCLE_API_PORT');

    const temporal = await connectTemporal(config);
    cleanups.push(() => temporal.close());
    logger.info({ address: temporal.address, ui: temporal.uiUrl }, 'Temporal is ready');

    const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
    cleanups.push(() => db.close());
    const { applied } = await migrate(db);
    logger.info({ database: db.kind, migrationsApplied: applied }, 'Registry database is ready');

    const registry = new SqlRegistry(db);
    const artifacts = new LocalArtifactStore(path.join(config.dataDir, 'artifacts'));
    const deps = { config, registry, artifacts };

    if (options.workers.length > 0) {
      const workers = await startWorkers(temporal, deps, options.workers, logger);
      cleanups.push(() => stopWorkers(workers));
    }

    let apiUrl: string | null = null;
    if (options.api) {
      const app = await buildApp({
        ...deps,
        temporal: temporal.client,
        logger: { level: config.logLevel, stream: process.stderr },
      });
      cleanups.push(() => app.close());
      apiUrl = await listen(app, config);
      logger.info({ url: apiUrl, docs: `${apiUrl}/docs` }, 'API is listening');
    }
    return { config, temporal, db, registry, artifacts, apiUrl, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

interface StartedWorkers {
  workers: Worker[];
  running: Promise<unknown>;
}

async function startWorkers(
  temporal: TemporalHandle,
  deps: Parameters<typeof createWorkers>[0]['deps'],
  roles: readonly WorkerRole[],
  logger: Logger,
): Promise<StartedWorkers> {
  const needsBundle = roles.includes('main');
  const workflowBundle = needsBundle ? await bundleProjectWorkflows() : { code: '' };
  const workers = await createWorkers({
    connection: temporal.nativeConnection,
    namespace: deps.config.temporalNamespace,
    deps,
    roles,
    workflowBundle,
  });
  const running = Promise.all(
    workers.map((worker) =>
      worker.run().catch((error: unknown) => {
        logger.error(
          { err: error, taskQueue: worker.options.taskQueue },
          'Worker stopped with an error',
        );
      }),
    ),
  );
  logger.info(
    { taskQueues: workers.map((worker) => worker.options.taskQueue) },
    'Workers are polling',
  );
  return { workers, running };
}

async function stopWorkers({ workers, running }: StartedWorkers): Promise<void> {
  for (const worker of workers) {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  }
  await running;
}

async function listen(app: FastifyInstance, config: AppConfig): Promise<string> {
  await app.listen({ host: config.apiHost, port: config.apiPort });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.apiPort;
  return `http://${config.apiHost}:${port}`;
}
