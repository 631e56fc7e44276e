import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigrationChecksumError } from './errors.js';
import type { Db } from './types.js';

/** The folder of numbered `.sql` files shipped beside this module. */
export const MIGRATIONS_FOLDER = new URL('./migrations/', import.meta.url);

/**
 * An arbitrary constant that every Fullcycle process uses as the Postgres
 * advisory lock key while it migrates.
 */
const MIGRATION_LOCK_KEY = 7_340_215_001;

const CREATE_MIGRATIONS_TABLE = `
  create table if not exists schema_migrations (
    name text primary key,
    sha256 text not null,
    applied_at timestamptz not null default now()
  )`;

interface MigrationFile {
  name: string;
  sql: string;
  sha256: string;
}

/**
 * Applies the SQL files in `folder` that are not yet recorded in
 * `schema_migrations`, in filename order, each in its own transaction.
 * On Postgres every step holds an advisory lock, so processes that start at
 * once apply each file exactly once. Throws MigrationChecksumError before
 * applying anything when an applied file has changed since, and
 * DatabaseError when a file fails, leaving that file unapplied.
 */
export async function migrate(db: Db, folder: URL | string = MIGRATIONS_FOLDER): Promise<{ applied: string[] }> {
  const files = await readMigrationFiles(folder);
  await db.transaction(async (tx) => {
    await lockMigrations(tx);
    await tx.exec(CREATE_MIGRATIONS_TABLE);
    verifyChecksums(files, await readApplied(tx));
  });

  const applied: string[] = [];
  for (const file of files) {
    if (await db.transaction((tx) => applyIfPending(tx, file))) applied.push(file.name);
  }
  return { applied };
}

async function applyIfPending(tx: Db, file: MigrationFile): Promise<boolean> {
  await lockMigrations(tx);
  // Another process may have applied the file since this one looked.
  if ((await readApplied(tx)).has(file.name)) return false;

  await tx.exec(file.sql);
  await tx.query('insert into schema_migrations (name, sha256) values ($1, $2)', [file.name, file.sha256]);
  return true;
}

async function lockMigrations(tx: Db): Promise<void> {
  // PGlite runs one connection in one process, so there is nothing to race with.
  if (tx.kind === 'postgres') await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
}

async function readApplied(tx: Db): Promise<Map<string, string>> {
  const rows = await tx.query<{ name: string; sha256: string }>('select name, sha256 from schema_migrations');
  return new Map(rows.map((row) => [row.name, row.sha256]));
}

function verifyChecksums(files: MigrationFile[], applied: Map<string, string>): void {
  for (const file of files) {
    const appliedSha256 = applied.get(file.name);
    if (appliedSha256 !== undefined && appliedSha256 !== file.sha256) {
      throw new MigrationChecksumError(file.name, appliedSha256, file.sha256);
    }
  }
}

/** Reads the `.sql` files of a folder sorted by name. Names start with a zero-padded number to keep that order right. */
async function readMigrationFiles(folder: URL | string): Promise<MigrationFile[]> {
  const dir = folder instanceof URL ? fileURLToPath(folder) : folder;
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name), 'utf8');
      return { name, sql, sha256: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}
