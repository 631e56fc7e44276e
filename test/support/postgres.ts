import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A Postgres server for one test run and the way to get rid of it. */
export interface TestPostgres {
  /** A `postgres://` URL of a database that tests may create other databases from. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts Postgres for a test run. With TEST_DATABASE_URL set, creates a
 * fresh database `fullcycle_test_<random>` on that server and drops it at
 * stop. Otherwise runs a throwaway cluster from the installed PostgreSQL
 * binaries on 127.0.0.1 and deletes it at stop. Returns null, after
 * printing why, when neither is available.
 */
export async function startTestPostgres(): Promise<TestPostgres | null> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    const database = await createTestDatabase(serverUrl);
    return { url: database.url, stop: database.drop };
  }

  const bin = await findPostgresBin();
  if (!bin) {
    console.warn(
      'Postgres tests are skipped: no PostgreSQL binaries found (tried `pg_config --bindir` and ' +
        '/usr/lib/postgresql/*/bin). Install PostgreSQL or set TEST_DATABASE_URL.',
    );
    return null;
  }
  return startCluster(bin);
}

/**
 * Creates a database named `fullcycle_test_<random>` on the server of
 * `serverUrl`, so that each test file gets its own. `drop` removes it,
 * disconnecting any client still attached.
 */
export async function createTestDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `fullcycle_test_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`create database ${name}`));

  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withClient(serverUrl, (client) => client.query(`drop database if exists ${name} with (force)`)),
  };
}

async function withClient(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

async function findPostgresBin(): Promise<string | null> {
  const candidates: string[] = [];
  try {
    candidates.push((await run('pg_config', ['--bindir'])).stdout.trim());
  } catch {
    // pg_config is missing where only the server package is installed.
  }
  const versioned = '/usr/lib/postgresql';
  if (existsSync(versioned)) {
    const versions = readdirSync(versioned).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => path.join(versioned, version, 'bin')));
  }
  return candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'))) ?? null;
}

/**
 * Creates and starts a cluster in a temporary folder. initdb refuses to run
 * as root, so as root the cluster belongs to the `postgres` user.
 */
async function startCluster(bin: string): Promise<TestPostgres> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'fullcycle-pg-'));
  const dataDir = path.join(folder, 'data');
  const asRoot = process.getuid?.() === 0;
  const pgTool = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]) : run(path.join(bin, tool), args);

  try {
    if (asRoot) await chownToPostgres(folder);
    await pgTool('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const port = await freePort();
    const serverOptions = `-c listen_addresses=127.0.0.1 -p ${port} -k ${folder} -c fsync=off -c full_page_writes=off`;
    await pgTool('pg_ctl', ['-D', dataDir, '-l', path.join(folder, 'postgres.log'), '-w', '-t', '60', '-o', serverOptions, 'start']);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop: async () => {
        await pgTool('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    const log = await readFile(path.join(folder, 'postgres.log'), 'utf8').catch(() => '(no server log)');
    await rm(folder, { recursive: true, force: true });
    const message = `could not start a test Postgres from ${bin}: ${(error as Error).message}\n${log.slice(-2000)}`;
    throw new Error(message, { cause: error });
  }
}

async function chownToPostgres(folder: string): Promise<void> {
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  await chown(folder, uid, gid);
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
