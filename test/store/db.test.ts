import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeStatement, openDb, redactUrl } from '../../store/db.js';
import { DatabaseError } from '../../store/errors.js';
import { describeEachBackend } from './backends.js';

describeEachBackend('Db', (db, backend) => {
  it('reports its kind', () => {
    expect(db().kind).toBe(backend);
  });

  it('returns rows with parameters bound', async () => {
    const rows = await db().query<{ sum: number; label: string }>('select $1::integer + 1 as sum, $2::text as label', [41, 'x']);

    expect(rows).toEqual([{ sum: 42, label: 'x' }]);
  });

  it('returns bigint values as numbers', async () => {
    const rows = await db().query<{ n: number }>('select 9007199254740991::bigint as n');

    expect(rows[0]!.n).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('runs a script of several statements', async () => {
    await db().exec('create table script_a (id integer); insert into script_a values (1), (2);');

    expect(await db().query('select id from script_a order by id')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('commits a transaction whose work resolves', async () => {
    await db().exec('create table committed_rows (id integer)');

    const result = await db().transaction(async (tx) => {
      await tx.query('insert into committed_rows values (1)');
      return 'done';
    });

    expect(result).toBe('done');
    expect(await db().query('select id from committed_rows')).toEqual([{ id: 1 }]);
  });

  it('rolls back a transaction whose work throws', async () => {
    await db().exec('create table rolled_back_rows (id integer)');
    const failure = new Error('work failed');

    const attempt = db().transaction(async (tx) => {
      await tx.query('insert into rolled_back_rows values (1)');
      throw failure;
    });

    await expect(attempt).rejects.toBe(failure);
    expect(await db().query('select id from rolled_back_rows')).toEqual([]);
  });

  it('rolls back only the inner part of a nested transaction', async () => {
    await db().exec('create table nested_rows (id integer)');

    await db().transaction(async (tx) => {
      await tx.query('insert into nested_rows values (1)');
      await tx.transaction(async (inner) => {
        await inner.query('insert into nested_rows values (2)');
        throw new Error('inner work failed');
      }).catch(() => undefined);
      await tx.query('insert into nested_rows values (3)');
    });

    const rows = await db().query<{ id: number }>('select id from nested_rows order by id');
    expect(rows.map((row) => row.id)).toEqual([1, 3]);
  });

  it('rejects a commit after a failed statement was caught', async () => {
    await db().exec('create table aborted_rows (id integer)');

    const attempt = db().transaction(async (tx) => {
      await tx.query('insert into aborted_rows values (1)');
      await tx.query('select * from missing_table').catch(() => undefined);
    });

    await expect(attempt).rejects.toBeInstanceOf(DatabaseError);
    await expect(attempt).rejects.toMatchObject({ operation: 'commit', sqlState: '25P02' });
    expect(await db().query('select id from aborted_rows')).toEqual([]);
  });

  it('names the operation and SQLSTATE of a failed statement', async () => {
    const attempt = db().query('insert into missing_table (id) values ($1)', [1]);

    await expect(attempt).rejects.toBeInstanceOf(DatabaseError);
    await expect(attempt).rejects.toThrow(
      'database insert into missing_table failed: relation "missing_table" does not exist (SQLSTATE 42P01)',
    );
  });

  it('rejects closing a transaction handle', async () => {
    const attempt = db().transaction((tx) => tx.close());

    await expect(attempt).rejects.toThrow('cannot close a transaction handle: the transaction ends when its work returns');
  });
});

describe('openDb', () => {
  it('masks the password when Postgres is unreachable', async () => {
    const port = await closedPort();
    const url = `postgres://fullcycle:s3cret-value@127.0.0.1:${port}/registry`;

    const attempt = openDb({ databaseUrl: url, dataDir: os.tmpdir() });

    await expect(attempt).rejects.toBeInstanceOf(DatabaseError);
    await expect(attempt).rejects.toThrow(
      `database connect to postgres://fullcycle:***@127.0.0.1:${port}/registry failed: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    await expect(attempt).rejects.not.toThrow('s3cret-value');
  });

  it('rejects a second open of the same PGlite folder', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'fullcycle-pglite-'));
    const first = await openDb({ dataDir: folder });
    try {
      const attempt = openDb({ dataDir: folder });

      await expect(attempt).rejects.toBeInstanceOf(DatabaseError);
      await expect(attempt).rejects.toThrow(
        `database open PGlite at ${path.join(folder, 'pglite')} failed: ` +
          'the folder is already open in this process; reuse that Db or close it first',
      );
    } finally {
      await first.close();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('reopens a PGlite folder after close with its data kept', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'fullcycle-pglite-'));
    try {
      const first = await openDb({ dataDir: folder });
      await first.exec("create table kept (note text); insert into kept values ('still here');");
      await first.close();

      const second = await openDb({ dataDir: folder });
      const rows = await second.query('select note from kept');
      await second.close();

      expect(rows).toEqual([{ note: 'still here' }]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('redactUrl', () => {
  it.each([
    ['postgres://user:pw@db.internal:5432/app', 'postgres://user:***@db.internal:5432/app'],
    ['postgres://user@localhost/app', 'postgres://user@localhost/app'],
    ['not a url', '(unparsable database URL)'],
  ])('redacts %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('describeStatement', () => {
  it.each([
    ['INSERT INTO projects (id) VALUES ($1)', 'insert into projects'],
    ['  update model_versions\n set stage = $2', 'update model_versions'],
    ['delete from audit_log where id = 1', 'delete from audit_log'],
    ['select id, name\n from projects where id = $1', 'select from projects'],
    ['-- the registry\ncreate table projects (id text)', 'create table projects'],
    ['select 1', 'select 1'],
  ])('names %j', (sql, expected) => {
    expect(describeStatement(sql)).toBe(expected);
  });
});

/** Returns a port on 127.0.0.1 that nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
