import type { Db } from './types.js';

/**
 * Serializes a value for a `$n::jsonb` parameter, with null and undefined
 * as SQL null. Values are passed as JSON text because pg would turn a
 * JavaScript array into a Postgres array, not a JSON array.
 */
export function jsonParam(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/**
 * Runs an `insert ... on conflict do nothing returning ...` statement and
 * returns the inserted row, or the row that already had its key, read by
 * `readExisting`. This is what makes writes idempotent on their id.
 */
export async function insertOrRead<Row>(
  db: Db,
  insertSql: string,
  params: unknown[],
  readExisting: () => Promise<Row | null>,
): Promise<Row> {
  const inserted = await db.query<Row>(insertSql, params);
  if (inserted[0]) return inserted[0];

  const existing = await readExisting();
  // The conflicting row can only vanish if something deleted it between the two statements.
  if (!existing) throw new Error(`insert conflicted with a row that no longer exists: ${insertSql.trim().split('\n')[0]}`);
  return existing;
}

/** Returns the first row, or null when there is none. */
export function firstOrNull<Row>(rows: Row[]): Row | null {
  return rows[0] ?? null;
}

/** Runs `<selectSql> where id = $1` and returns the row, or null when there is none. */
export async function readById<Row>(db: Db, selectSql: string, id: string): Promise<Row | null> {
  return firstOrNull(await db.query<Row>(`${selectSql} where id = $1`, [id]));
}
