import path from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import pg from 'pg';
import { DatabaseError } from './errors.js';
import type { Db } from './types.js';

/** Receives errors that happen outside any query, such as an idle pooled connection dropping. */
export interface DbLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Location of the registry database. */
export interface OpenDbOptions {
  /** A `postgres://` URL. Without it, PGlite runs in-process on `dataDir`. */
  databaseUrl?: string;
  /** The data folder. PGlite keeps its files in `<dataDir>/pglite`. */
  dataDir: string;
  /** Defaults to a one-line message on stderr. */
  logger?: DbLogger;
}

const INT8_OID = 20;

/** PGlite data folders open in this process, because a second instance on a folder would corrupt it. */
const openPgliteFolders = new Set<string>();

/**
 * Opens the registry database: a Postgres connection pool when
 * `databaseUrl` is set, else PGlite persisted at `<dataDir>/pglite`.
 *
 * PGlite allows one open instance per data folder, so share the returned Db
 * and close it before opening the folder again. A second open in the same
 * process throws DatabaseError, but nothing detects a second process on
 * the same folder. Throws DatabaseError when Postgres cannot be reached,
 * with the URL in the message and its password masked.
 */
export async function openDb(options: OpenDbOptions): Promise<Db> {
  const logger = options.logger ?? stderrLogger;
  if (options.databaseUrl) return openPostgres(options.databaseUrl, logger);
  return openPglite(path.resolve(options.dataDir, 'pglite'));
}

/** Returns the URL with its password replaced by `***`, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable database URL)';
  }
}

async function openPostgres(url: string, logger: DbLogger): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: 'fullcycle',
    // bigint columns (serial ids, counts) become numbers, as PGlite returns them.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // Without a listener, an idle connection that the server closes crashes the process.
  pool.on('error', (error) => logger.warn({ err: error, database: redactUrl(url) }, 'idle Postgres connection failed'));

  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw toDatabaseError(error, `connect to ${redactUrl(url)}`);
  }
  return poolDb(pool);
}

function poolDb(pool: pg.Pool): Db {
  return {
    kind: 'postgres',
    query: (sql, params) => pgQuery(pool, sql, params),
    exec: async (sql) => {
      await pgQuery(pool, sql);
    },
    transaction: (work) => pgTransaction(pool, work),
    close: () => pool.end(),
  };
}

async function pgTransaction<T>(pool: pg.Pool, work: (tx: Db) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw toDatabaseError(error, 'connect');
  }

  let broken = false;
  try {
    await pgQuery(client, 'begin');
    const result = await work(clientDb(client, 1));
    await pgCommit(client);
    return result;
  } catch (error) {
    // A connection that cannot roll back is in an unknown state, so the pool must discard it.
    await client.query('rollback').catch(() => (broken = true));
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Commits, and throws when Postgres rolled back instead because a statement in the transaction failed. */
async function pgCommit(client: pg.PoolClient): Promise<void> {
  let command: string;
  try {
    command = (await client.query('commit')).command;
  } catch (error) {
    throw toDatabaseError(error, 'commit');
  }
  if (command === 'ROLLBACK') {
    throw new DatabaseError('commit', 'the transaction was rolled back because a statement in it failed', '25P02');
  }
}

function clientDb(client: pg.PoolClient, depth: number): Db {
  const tx: Db = {
    kind: 'postgres',
    query: (sql, params) => pgQuery(client, sql, params),
    exec: async (sql) => {
      await pgQuery(client, sql);
    },
    transaction: (work) => withSavepoint(tx, depth, () => work(clientDb(client, depth + 1))),
    close: rejectCloseInTransaction,
  };
  return tx;
}

async function pgQuery<Row>(target: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]): Promise<Row[]> {
  try {
    const result = await target.query(sql, params);
    // A script of several statements returns one result per statement.
    const last = Array.isArray(result) ? result.at(-1) : result;
    return (last?.rows ?? []) as Row[];
  } catch (error) {
    throw toDatabaseError(error, describeStatement(sql));
  }
}

async function openPglite(folder: string): Promise<Db> {
  if (openPgliteFolders.has(folder)) {
    throw new DatabaseError(
      `open PGlite at ${folder}`,
      'the folder is already open in this process; reuse that Db or close it first',
      undefined,
    );
  }
  openPgliteFolders.add(folder);
  try {
    const pglite = await PGlite.create(folder);
    return pgliteDb(pglite, folder);
  } catch (error) {
    openPgliteFolders.delete(folder);
    throw toDatabaseError(error, `open PGlite at ${folder}`);
  }
}

function pgliteDb(pglite: PGlite, folder: string): Db {
  return {
    kind: 'pglite',
    query: (sql, params) => pgliteQuery(pglite, sql, params),
    exec: (sql) => pgliteExec(pglite, sql),
    transaction: (work) => pgliteTransaction(pglite, work),
    close: async () => {
      await pglite.close();
      openPgliteFolders.delete(folder);
    },
  };
}

async function pgliteTransaction<T>(pglite: PGlite, work: (tx: Db) => Promise<T>): Promise<T> {
  try {
    return await pglite.transaction((tx) => work(pgliteTransactionDb(tx, 1)));
  } catch (error) {
    // Errors from `work` pass through. PGlite's own, such as a commit of an aborted transaction, are wrapped.
    throw isSqlError(error) ? toDatabaseError(error, 'commit') : error;
  }
}

function pgliteTransactionDb(handle: Transaction, depth: number): Db {
  const tx: Db = {
    kind: 'pglite',
    query: (sql, params) => pgliteQuery(handle, sql, params),
    exec: (sql) => pgliteExec(handle, sql),
    transaction: (work) => withSavepoint(tx, depth, () => work(pgliteTransactionDb(handle, depth + 1))),
    close: rejectCloseInTransaction,
  };
  return tx;
}

async function pgliteQuery<Row>(handle: PGlite | Transaction, sql: string, params?: unknown[]): Promise<Row[]> {
  try {
    const result = await handle.query<Row>(sql, params);
    return result.rows;
  } catch (error) {
    throw toDatabaseError(error, describeStatement(sql));
  }
}

async function pgliteExec(handle: PGlite | Transaction, sql: string): Promise<void> {
  try {
    await handle.exec(sql);
  } catch (error) {
    throw toDatabaseError(error, describeStatement(sql));
  }
}

/**
 * Runs a nested transaction as a savepoint named after its depth. Nested
 * transactions on one handle must run one after another, as every query on
 * one connection does.
 */
async function withSavepoint<T>(tx: Db, depth: number, work: () => Promise<T>): Promise<T> {
  const name = `fullcycle_savepoint_${depth}`;
  await tx.query(`savepoint ${name}`);
  try {
    const result = await work();
    await tx.query(`release savepoint ${name}`);
    return result;
  } catch (error) {
    await tx.query(`rollback to savepoint ${name}`);
    throw error;
  }
}

async function rejectCloseInTransaction(): Promise<void> {
  throw new Error('cannot close a transaction handle: the transaction ends when its work returns');
}

/** Names a statement by its verb and first table, such as `insert into projects`. */
export function describeStatement(sql: string): string {
  const text = sql.replace(/--[^\n]*/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
  const write = /^(insert into|update|delete from) ([\w."]+)/.exec(text);
  if (write) return `${write[1]} ${write[2]}`;
  const read = /^(?:with|select)\b.*? from ([\w."]+)/.exec(text);
  if (read) return `select from ${read[1]}`;
  return text.split(' ').slice(0, 3).join(' ') || 'empty statement';
}

function toDatabaseError(error: unknown, operation: string): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // Node system errors such as ECONNREFUSED also set `code`, but it is no SQLSTATE.
  const sqlState = isSqlError(error) ? error.code : undefined;
  return new DatabaseError(operation, message, sqlState, { cause: error });
}

/** Tells server errors (pg's and PGlite's both carry `severity` and `code`) from other errors. */
function isSqlError(error: unknown): error is { severity: string; code: string | undefined } {
  return typeof error === 'object' && error !== null && 'severity' in error && 'code' in error;
}

const stderrLogger: DbLogger = {
  warn: (fields, message) => {
    const err = fields.err instanceof Error ? `: ${fields.err.message}` : '';
    console.warn(`fullcycle store: ${message}${err}`);
  },
};
