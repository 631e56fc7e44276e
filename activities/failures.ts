import { ApplicationFailure } from '@temporalio/activity';
import { ValidationError } from '../core/errors.js';
import { DataValidationError } from '../core/dataset.js';

/**
 * Runs `work` and turns input errors into non-retryable application
 * failures, because no retry can fix bad data or an invalid spec. Other
 * errors (I/O, a lost database connection) propagate and are retried.
 */
export async function failOnBadInput<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DataValidationError) {
      const { column, line, rule, value } = error;
      throw ApplicationFailure.nonRetryable(error.message, error.code, { column, line, rule, value });
    }
    if (error instanceof ValidationError) {
      throw ApplicationFailure.nonRetryable(error.message, error.code, { issues: error.issues });
    }
    throw error;
  }
}

/** Raises a non-retryable failure of the given type. */
export function rejectInput(type: 'INFEASIBLE' | 'SOURCE_NOT_ALLOWED' | 'EXPORT_MISMATCH', message: string): never {
  throw ApplicationFailure.nonRetryable(message, type);
}
