import { Context, log } from '@temporalio/activity';
import { featureDrift } from '../core/drift.js';
import { columnsAt } from '../core/records.js';
import type { SplitIndices, TypedDataset } from '../core/types.js';
import type { MonitoringCheck } from '../workflows/contracts.js';
import type { ActivityDeps } from './deps.js';
import type { ProjectActivities } from './types.js';

/** The newest logged predictions a drift check compares with the training data. */
export const DRIFT_WINDOW_PREDICTIONS = 10_000;

/**
 * Stage 5, monitoring: compares the inputs of logged predictions with the
 * training split, feature by feature (PSI), records the result and raises an
 * alert for every feature at or above the spec's threshold.
 */
export function createMonitoringActivities(
  deps: ActivityDeps,
): Pick<ProjectActivities, 'checkDrift'> {
  const { artifacts, registry } = deps;
  return {
    checkDrift: async ({ projectId, deploymentId, dataset, monitoring }) => {
      const predictions = await registry.countPredictions(deploymentId);
      const checkedAt = new Date().toISOString();
      let check: MonitoringCheck = { checkedAt, predictions, drift: [], maxPsi: null, alerts: [] };

      if (predictions >= monitoring.minPredictions) {
        const typed = await artifacts.getJson<TypedDataset>(dataset.artifacts.dataset);
        const { train } = await artifacts.getJson<SplitIndices>(dataset.artifacts.splits);
        const current = await registry.listPredictionInputs(deploymentId, {
          limit: DRIFT_WINDOW_PREDICTIONS,
        });
        const drift = featureDrift(columnsAt(typed, train), current, monitoring.psiBins);
        const maxPsi = Math.max(...drift.map((feature) => feature.psi));
        const alerts = drift
          .filter((feature) => feature.psi >= monitoring.psiAlertThreshold)
          .map(
            (feature) =>
              `${feature.feature}: PSI ${feature.psi.toFixed(3)} >= ${monitoring.psiAlertThreshold}`,
          );
        check = { checkedAt, predictions, drift, maxPsi, alerts };
      }

      // Ids from the activity's identity stay the same across retries, so a retry writes nothing twice.
      const { workflowExecution, activityId } = Context.current().info;
      const run = await registry.insertMonitoringRun({
        id: `${workflowExecution?.runId ?? projectId}-${activityId}`,
        projectId,
        deploymentId,
        predictions,
        drift: check.drift,
        maxPsi: check.maxPsi,
        alerts: check.alerts,
      });
      for (const [index, message] of check.alerts.entries()) {
        await registry.insertAlert({
          id: `${run.id}-${index}`,
          projectId,
          kind: 'drift',
          severity: 'warning',
          message,
          details: { monitoringRunId: run.id, deploymentId },
        });
      }
      log.info('Drift check finished', {
        projectId,
        predictions,
        maxPsi: check.maxPsi,
        alerts: check.alerts.length,
      });
      return check;
    },
  };
}
