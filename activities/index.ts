import type { ActivityDeps, TrainingDeps } from './deps.js';
import { createDataActivities } from './data.js';
import { createDeliveryActivities } from './delivery.js';
import { createDeploymentActivities } from './deployment.js';
import { createEvaluationActivities } from './evaluation.js';
import { createInitiationActivities } from './initiation.js';
import { createMonitoringActivities } from './monitoring.js';
import { createStatusActivities } from './status.js';
import { createTrainingActivities } from './training.js';
import { classifyFailures } from './failures.js';
import type { ProjectActivities, TrainingActivities } from './types.js';

export type { ActivityDeps, TrainingDeps } from './deps.js';
export type { ProjectActivities, TrainingActivities } from './types.js';

/** Builds every activity of the main task queue. */
export function createProjectActivities(deps: ActivityDeps): ProjectActivities {
  return classifyFailures({
    ...createStatusActivities(deps),
    ...createInitiationActivities(deps),
    ...createDataActivities(deps),
    ...createEvaluationActivities(deps),
    ...createDeploymentActivities(deps),
    ...createDeliveryActivities(deps),
    ...createMonitoringActivities(deps),
  });
}

/** Builds the trial activity that training workers (CPU or GPU queue) run. */
export function buildTrainingActivities(deps: TrainingDeps): TrainingActivities {
  return classifyFailures(createTrainingActivities(deps));
}
