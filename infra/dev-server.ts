import { spawn, type ChildProcess } from 'node:child_process';
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../workflows/contracts.js';
import { isAlive, requireFreePort } from './guards.js';

export interface DevServerOptions {
  /** The Temporal CLI binary. */
  cliPath: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** SQLite file that keeps workflows across restarts. */
  dbFile: string;
  /** The server's own output goes here, not to this process's stdout. */
  logFile: string;
  /** The server's process id, so that a server left by a crashed run is stopped on the next start. */
  pidFile: string;
  startTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the Temporal CLI dev server on 127.0.0.1 with the Web UI and
 * Fullcycle's search attributes, and waits until it accepts connections.
 * Throws with the end of the server's log when it exits early or does not
 * accept connections within the timeout.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const address = `127.0.0.1:${options.port}`;
  await stopStaleServer(options.pidFile);
  await requireFreePort(options.port, 'FULLCYCLE_TEMPORAL_PORT');
  await requireFreePort(options.uiPort, 'FULLCYCLE_TEMPORAL_UI_PORT');

  const log = await open(options.logFile, 'a');
  // Its own process group: a terminal's Ctrl-C then reaches only Fullcycle,
  // which stops the server last, after the workers have drained.
  const child = spawn(options.cliPath, devServerArgs(options), {
    stdio: ['ignore', log.fd, log.fd],
    detached: true,
  });
  await log.close();
  await writeFile(options.pidFile, String(child.pid));

  let exit: string | null = null;
  child.once('exit', (code, signal) => {
    exit = `exited with ${signal ?? `code ${code}`}`;
  });
  try {
    await waitUntilReady(address, options.startTimeoutMs ?? 30_000, () => exit);
  } catch (error) {
    await stopProcess(child);
    await rm(options.pidFile, { force: true });
    const tail = (await readFile(options.logFile, 'utf8').catch(() => ''))
      .split('\n')
      .slice(-15)
      .join('\n');
    throw new Error(
      `Temporal dev server did not start (${(error as Error).message}); log ${options.logFile}:\n${tail}`,
    );
  }
  return {
    address,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    stop: async () => {
      await stopProcess(child);
      await rm(options.pidFile, { force: true });
    },
  };
}

function devServerArgs(options: DevServerOptions): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    // The UI would otherwise fetch a news feed from the internet.
    '--ui-disable-news-fetch',
    '--db-filename',
    path.resolve(options.dbFile),
    '--namespace',
    options.namespace,
    ...Object.values(SEARCH_ATTRIBUTES).flatMap((key) => [
      '--search-attribute',
      `${key.name}=Keyword`,
    ]),
    '--log-format',
    'json',
    '--log-level',
    'warn',
    '--color',
    'never',
  ];
}

async function waitUntilReady(
  address: string,
  timeoutMs: number,
  exited: () => string | null,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exit = exited();
    if (exit) throw new Error(`the server ${exit}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(
          `no connection to ${address} within ${timeoutMs} ms: ${(error as Error).message}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Sends SIGTERM and waits for the exit; SIGKILL after 10 s. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Stops a dev server that a crashed run left behind: the pid file names a
 * live process whose command line is the Temporal dev server.
 */
async function stopStaleServer(pidFile: string): Promise<void> {
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid) || !isAlive(pid)) return;
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!commandLine.includes('start-dev')) return;

  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  await rm(pidFile, { force: true });
}
