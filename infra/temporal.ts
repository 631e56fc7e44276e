import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection, Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import type { AppConfig } from '../core/config.js';
import { SEARCH_ATTRIBUTES } from '../workflows/contracts.js';
import { startDevServer } from './dev-server.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD

/** A connection to a Temporal server, and the embedded dev server when this process started one. */
export interface TemporalHandle {
  address: string;
  /** The Web UI, when this process runs the dev server. */
  uiUrl: string | null;
  client: Client;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

/** Returns the Temporal CLI from config, else from the project's virtual environment, else null. */
export function findTemporalCli(config: AppConfig): string | null {
  if (config.temporalCli) return config.temporalCli;
  const local = path.join(REPO_ROOT, '.venv', 'bin', 'temporal');
  return existsSync(local) ? local : null;
}

/**
 * Connects to TEMPORAL_ADDRESS when it is set. Otherwise starts the Temporal
 * CLI dev server on 127.0.0.1 with its SQLite file in the data folder (so
 * projects survive a restart) and the Web UI on the configured port.
 */
export async function connectTemporal(config: AppConfig): Promise<TemporalHandle> {
  if (config.temporalAddress) return await connectExisting(config, config.temporalAddress);

  const cli = findTemporalCli(config);
  if (!cli) return await startDownloadedServer(config);
  const server = await startDevServer({
    cliPath: cli,
    port: config.temporalPort,
    uiPort: config.temporalUiPort,
    namespace: config.temporalNamespace,
    dbFile: path.join(config.dataDir, 'temporal.sqlite'),
    logFile: path.join(config.dataDir, 'temporal.log'),
    pidFile: path.join(config.dataDir, 'temporal.pid'),
  });
  try {
    const handle = await connectExisting(config, server.address);
    return {
      ...handle,
      uiUrl: server.uiUrl,
      close: async () => {
        await handle.close();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * Lets the SDK download and run a dev server, for machines without Python
 * to install the CLI.
 * NOTE: needs internet access and prints the server's banner on stdout;
 * this path is not exercised by the tests.
 */
async function startDownloadedServer(config: AppConfig): Promise<TemporalHandle> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ip: '127.0.0.1',
      port: config.temporalPort,
      ui: true,
      uiPort: config.temporalUiPort,
      dbFilename: path.join(config.dataDir, 'temporal.sqlite'),
      namespace: config.temporalNamespace,
      searchAttributes: Object.values(SEARCH_ATTRIBUTES),
    },
  });
  return {
    address: env.address,
    uiUrl: `http://127.0.0.1:${config.temporalUiPort}`,
    client: env.client,
    nativeConnection: env.nativeConnection,
    close: () => env.teardown(),
  };
}

async function connectExisting(config: AppConfig, address: string): Promise<TemporalHandle> {
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  await registerSearchAttributes(connection, config.temporalNamespace);
  return {
    address,
    uiUrl: null,
    client: new Client({ connection, namespace: config.temporalNamespace }),
    nativeConnection,
    close: async () => {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

/** Registers Fullcycle's search attributes; one that already exists counts as success. */
export async function registerSearchAttributes(
  connection: Connection,
  namespace: string,
): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.values(SEARCH_ATTRIBUTES).filter(
    (key) => !(key.name in (existing.customAttributes ?? {})),
  );
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, KEYWORD])),
  });
}
