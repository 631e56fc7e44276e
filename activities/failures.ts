import { ApplicationFailure } from '@temporalio/activity';
import { ValidationError } from '../core/errors.js';
import { DataValidationError } from '../core/dataset.js';
import { DatabaseError } from '../store/errors.js';

/**
 * SQLSTATE classes of errors that repeat on every retry: 22 data exception
 * (such as a NUL character in text) and 23 integrity constraint violation.
 */
const NON_RETRYABLE_SQL_CLASSES: ReadonlySet<string> = new Set(['22', '23']);

/**
 * Runs `work` and turns errors that no retry can fix into non-retryable
 * application failures: bad data, an invalid spec, and a registry write
 * that the database rejects for its content. Other errors (I/O, a lost
 * database connection) propagate and are retried with backoff.
 */
export async function failOnBadInput<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DataValidationError) {
      const { column, line, rule, value } = error;
      throw ApplicationFailure.nonRetryable(error.message, error.code, {
        column,
        line,
        rule,
        value,
      });
    }
    if (error instanceof ValidationError) {
      throw ApplicationFailure.nonRetryable(error.message, error.code, { issues: error.issues });
    }
    if (
      error instanceof DatabaseError &&
      NON_RETRYABLE_SQL_CLASSES.has(error.sqlState?.slice(0, 2) ?? '')
    ) {
      throw ApplicationFailure.nonRetryable(error.message, 'REGISTRY_REJECTED', {
        sqlState: error.sqlState,
      });
    }
    throw error;
  }
}

/** Raises a non-retryable failure of the given type. */
export function rejectInput(
  type: 'INFEASIBLE' | 'SOURCE_NOT_ALLOWED' | 'EXPORT_MISMATCH',
  message: string,
): never {
  throw ApplicationFailure.nonRetryable(message, type);
}

/** Wraps every activity of a group with failOnBadInput. */
export function classifyFailures<T extends object>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, run]) => [
      name,
      (...args: unknown[]) =>
        failOnBadInput(() => (run as (...a: unknown[]) => Promise<unknown>)(...args)),
    ]),
  ) as T;
}
