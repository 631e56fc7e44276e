import { createHash } from 'node:crypto';
import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { openDb } from '../../store/db.js';
import { DatabaseError, MigrationChecksumError } from '../../store/errors.js';
import { migrate, MIGRATIONS_FOLDER } from '../../store/migrate.js';
import { createDatabase, type BackendName, type TestDatabase } from './backends.js';

const INIT_FILE = '001_init.sql';

describe.each<BackendName>(['postgres', 'pglite'])('migrate (%s)', (backend) => {
  const skip = backend === 'postgres' && inject('postgresUrl') === '';
  let database: TestDatabase;
  let folder: string;

  beforeEach(async ({ skip: skipTest }) => {
    if (skip) skipTest('the test run has no Postgres server');
    database = await createDatabase(backend);
    folder = await mkdtemp(path.join(os.tmpdir(), 'fullcycle-migrations-'));
    await cp(fileURLToPath(MIGRATIONS_FOLDER), folder, { recursive: true });
  });

  afterEach(async () => {
    await database?.destroy();
    await rm(folder, { recursive: true, force: true });
  });

  it('applies each file once and records its checksum', async () => {
    const first = await migrate(database.db);
    const second = await migrate(database.db);

    expect(first.applied).toEqual([INIT_FILE]);
    expect(second.applied).toEqual([]);
    const rows = await database.db.query<{ name: string; sha256: string; applied_at: Date }>(
      'select name, sha256, applied_at from schema_migrations',
    );
    const sql = await readFile(new URL(INIT_FILE, MIGRATIONS_FOLDER), 'utf8');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.name).toBe(INIT_FILE);
    expect(rows[0]!.sha256).toBe(createHash('sha256').update(sql).digest('hex'));
    expect(rows[0]!.applied_at).toBeInstanceOf(Date);
  });

  it('applies files in filename order', async () => {
    await writeFile(path.join(folder, '003_later.sql'), 'alter table later_things add column note text;');
    await writeFile(path.join(folder, '002_things.sql'), 'create table later_things (id text primary key);');

    const result = await migrate(database.db, folder);

    expect(result.applied).toEqual([INIT_FILE, '002_things.sql', '003_later.sql']);
  });

  it('rejects a file changed after it was applied', async () => {
    await migrate(database.db, folder);
    const file = path.join(folder, INIT_FILE);
    const appliedSha256 = createHash('sha256').update(await readFile(file)).digest('hex');
    await appendFile(file, '\n-- an edit after the fact\n');
    const fileSha256 = createHash('sha256').update(await readFile(file)).digest('hex');

    const attempt = migrate(database.db, folder);

    await expect(attempt).rejects.toBeInstanceOf(MigrationChecksumError);
    await expect(attempt).rejects.toThrow(
      `migration ${INIT_FILE} changed after it was applied (applied sha256 ${appliedSha256}, ` +
        `file sha256 ${fileSha256}); restore the original file and put the change in a new numbered migration`,
    );
  });

  it('rolls back a failing file and records nothing for it', async () => {
    await writeFile(
      path.join(folder, '002_broken.sql'),
      'create table half_done (id text primary key);\ninsert into no_such_table values (1);',
    );

    const attempt = migrate(database.db, folder);

    await expect(attempt).rejects.toBeInstanceOf(DatabaseError);
    await expect(attempt).rejects.toThrow('relation "no_such_table" does not exist (SQLSTATE 42P01)');
    const names = await database.db.query<{ name: string }>('select name from schema_migrations order by name');
    expect(names.map((row) => row.name)).toEqual([INIT_FILE]);
    const tables = await database.db.query("select 1 from pg_tables where tablename = 'half_done'");
    expect(tables).toEqual([]);
  });
});

describe('migrate with two processes (postgres)', () => {
  it.skipIf(inject('postgresUrl') === '')('applies each file once when started at the same time', async () => {
    const database = await createDatabase('postgres');
    const other = await openDb({ databaseUrl: database.url!, dataDir: os.tmpdir() });
    try {
      const results = await Promise.all([migrate(database.db), migrate(other)]);

      expect(results.flatMap((result) => result.applied)).toEqual([INIT_FILE]);
      const rows = await database.db.query('select name from schema_migrations');
      expect(rows).toHaveLength(1);
    } finally {
      await other.close();
      await database.destroy();
    }
  });
});
