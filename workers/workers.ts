import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import {
  createProjectActivities,
  buildTrainingActivities,
  type ActivityDeps,
} from '../activities/index.js';
import type { AppConfig } from '../core/config.js';
import { TASK_QUEUES } from '../workflows/contracts.js';

export type WorkerRole = AppConfig['workerQueues'][number];

/** Seconds running activities get to finish or checkpoint after a shutdown request. */
const SHUTDOWN_GRACE = '30s';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  deps: ActivityDeps;
  roles: readonly WorkerRole[];
  workflowBundle: WorkflowBundle;
}

/**
 * Creates one worker per role: `main` runs the project workflow and the CPU
 * activities; `training-cpu` and `training-gpu` run trials. A GPU worker
 * owns one device, so it runs one trial at a time.
 */
export async function createWorkers(options: WorkerOptions): Promise<Worker[]> {
  const { connection, namespace, deps, workflowBundle } = options;
  const common = { connection, namespace, shutdownGraceTime: SHUTDOWN_GRACE } as const;
  const workers: Worker[] = [];
  for (const role of new Set(options.roles)) {
    if (role === 'main') {
      workers.push(
        await Worker.create({
          ...common,
          taskQueue: TASK_QUEUES.main,
          workflowBundle,
          activities: createProjectActivities(deps),
        }),
      );
    } else {
      const gpu = role === 'training-gpu';
      workers.push(
        await Worker.create({
          ...common,
          taskQueue: gpu ? TASK_QUEUES.trainingGpu : TASK_QUEUES.trainingCpu,
          activities: buildTrainingActivities(deps),
          maxConcurrentActivityTaskExecutions: gpu ? 1 : deps.config.trainingConcurrency,
        }),
      );
    }
  }
  return workers;
}
