import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { openDb } from '../../store/db.js';
import { migrate } from '../../store/migrate.js';
import type { Db } from '../../store/types.js';
import { createTestDatabase } from '../support/postgres.js';

export type BackendName = 'postgres' | 'pglite';

/** A freshly created, empty database and the way to delete it. */
export interface TestDatabase {
  db: Db;
  /** The Postgres URL, undefined for PGlite. */
  url?: string;
  destroy(): Promise<void>;
}

/** Creates an empty database: its own Postgres database, or PGlite in a new temporary folder. */
export async function createDatabase(backend: BackendName): Promise<TestDatabase> {
  if (backend === 'postgres') {
    const database = await createTestDatabase(inject('postgresUrl'));
    const db = await openDb({ databaseUrl: database.url, dataDir: os.tmpdir() });
    const destroy = async () => {
      await db.close();
      await database.drop();
    };
    return { db, url: database.url, destroy };
  }

  const folder = await mkdtemp(path.join(os.tmpdir(), 'fullcycle-pglite-'));
  const db = await openDb({ dataDir: folder });
  const destroy = async () => {
    await db.close();
    await rm(folder, { recursive: true, force: true });
  };
  return { db, destroy };
}

/**
 * Declares the suite once per backend. Each copy gets one migrated database
 * for all its tests, so tests use fresh ids. The Postgres copy is skipped,
 * with the reason printed, when the test run has no Postgres server.
 */
export function describeEachBackend(title: string, body: (db: () => Db, backend: BackendName) => void): void {
  for (const backend of ['postgres', 'pglite'] as const) {
    const skip = backend === 'postgres' && inject('postgresUrl') === '';
    if (skip) console.warn(`skipping "${title}" on postgres: the test run has no Postgres server`);

    describe.skipIf(skip)(`${title} (${backend})`, () => {
      let database: TestDatabase | undefined;
      beforeAll(async () => {
        database = await createDatabase(backend);
        await migrate(database.db);
      });
      afterAll(() => database?.destroy());
      body(() => database!.db, backend);
    });
  }
}
