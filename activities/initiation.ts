import { log } from '@temporalio/activity';
import type { ProjectActivities } from './types.js';
import type { ActivityDeps } from './deps.js';
import { rejectInput } from './failures.js';
import { readSourceTable } from './source.js';

/**
 * Stage 1: checks that the project can run at all before any data is
 * written: the file is allowed and readable, the target column exists, and
 * there are enough rows of both classes.
 */
export function createInitiationActivities(
  deps: ActivityDeps,
): Pick<ProjectActivities, 'checkFeasibility'> {
  return {
    checkFeasibility: async ({ data }) => {
      const source = await readSourceTable(data, deps.config.dataRoots);
      const targetIndex = source.columnNames.indexOf(data.target.column);
      if (targetIndex < 0) {
        rejectInput(
          'INFEASIBLE',
          `target column "${data.target.column}" is not in the data file; its columns are ${source.columnNames.join(', ')}`,
        );
      }
      const rows = source.table.rows.length;
      if (rows < data.rules.minRows) {
        rejectInput(
          'INFEASIBLE',
          `the data file has ${rows} rows; data.rules.minRows asks for at least ${data.rules.minRows}`,
        );
      }
      const positive = source.table.rows.filter(
        (row) => row[targetIndex]?.trim() === data.target.positiveClass,
      ).length;
      const negative = rows - positive;
      if (positive === 0 || negative === 0) {
        rejectInput(
          'INFEASIBLE',
          `the target column "${data.target.column}" needs both classes: ${positive} rows have the positive class ` +
            `"${data.target.positiveClass}" and ${negative} rows have another value`,
        );
      }
      log.info('Project is feasible', { path: source.path, rows, positive, negative });
      return {
        sourcePath: source.path,
        sourceSizeBytes: source.bytes.length,
        columns: source.columnNames,
        rows,
        classCounts: { positive, negative },
      };
    },
  };
}
