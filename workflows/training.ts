/**
 * The training stage: runs the planned trials on the training task queues,
 * at most `parallelism` at once, and sends trials to the CPU queue when the
 * spec requests a GPU that no worker serves in time.
 */
import {
  ActivityFailure,
  TimeoutFailure,
  log,
  proxyActivities,
  type ActivityOptions,
} from '@temporalio/workflow';
import { TimeoutType } from '@temporalio/common';
import type { ProjectSpec } from '../core/spec.js';
import type { TrialPlan } from '../core/types.js';
import type { ProjectActivities, TrainingActivities, TrialOutcome } from '../activities/types.js';
import {
  TASK_QUEUES,
  type DatasetSummary,
  type ProjectState,
  type TrialSummary,
} from './contracts.js';

const TRIAL_TIMEOUTS: ActivityOptions = {
  startToCloseTimeout: '2h',
  heartbeatTimeout: '2m',
  retry: {
    initialInterval: '5s',
    backoffCoefficient: 2,
    maximumInterval: '2m',
    maximumAttempts: 3,
    nonRetryableErrorTypes: ['INVALID_INPUT', 'DATA_INVALID'],
  },
};

interface TrainingContext {
  state: ProjectState;
  spec: ProjectSpec;
  dataset: DatasetSummary;
  acts: Pick<ProjectActivities, 'recordTrial'>;
}

/** Runs every plan and appends one TrialSummary per plan to the state, failed trials included. */
export async function runTrials(context: TrainingContext, plans: TrialPlan[]): Promise<void> {
  const { resources, parallelism } = context.spec.training;
  const cpu = proxyActivities<TrainingActivities>({
    ...TRIAL_TIMEOUTS,
    taskQueue: TASK_QUEUES.trainingCpu,
  });
  const gpu = proxyActivities<TrainingActivities>({
    ...TRIAL_TIMEOUTS,
    taskQueue: TASK_QUEUES.trainingGpu,
    scheduleToStartTimeout: resources.gpuScheduleTimeout,
  });
  let gpuUnavailable = resources.device !== 'gpu';

  const runOnQueue = async (plan: TrialPlan): Promise<{ outcome: TrialOutcome; queue: string }> => {
    const input = {
      projectId: context.state.projectId,
      plan,
      encoded: context.dataset.artifacts.encoded,
      patience: context.spec.training.earlyStoppingPatience,
      threshold: context.spec.evaluation.threshold,
    };
    if (!gpuUnavailable) {
      try {
        return { outcome: await gpu.runTrial(input), queue: TASK_QUEUES.trainingGpu };
      } catch (error) {
        if (!isScheduleToStartTimeout(error) || resources.onGpuUnavailable !== 'fallback_cpu')
          throw error;
        gpuUnavailable = true;
        log.warn('No GPU worker took the trial in time; running the remaining trials on CPU', {
          trialId: plan.trialId,
          waited: resources.gpuScheduleTimeout,
        });
      }
    }
    return { outcome: await cpu.runTrial(input), queue: TASK_QUEUES.trainingCpu };
  };

  const pending = [...plans];
  const lane = async (): Promise<void> => {
    for (let plan = pending.shift(); plan; plan = pending.shift()) {
      const summary = await runOne(plan, runOnQueue);
      await context.acts.recordTrial({
        projectId: context.state.projectId,
        datasetVersionId: context.dataset.versionId,
        trial: summary,
      });
      context.state.trials.push(summary);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, plans.length) }, lane));
  context.state.trials.sort((a, b) => a.trialId.localeCompare(b.trialId));
}

async function runOne(
  plan: TrialPlan,
  runOnQueue: (plan: TrialPlan) => Promise<{ outcome: TrialOutcome; queue: string }>,
): Promise<TrialSummary> {
  try {
    const { outcome, queue } = await runOnQueue(plan);
    return {
      trialId: plan.trialId,
      params: plan.params,
      queue,
      status: 'completed',
      epochs: outcome.epochs,
      validationMetrics: outcome.validationMetrics,
      model: outcome.model,
      error: null,
    };
  } catch (error) {
    // One failed trial does not fail the search; the stage fails only when every trial does.
    const message = failureMessage(error);
    log.warn('Trial failed', { trialId: plan.trialId, error: message });
    return {
      trialId: plan.trialId,
      params: plan.params,
      queue: '',
      status: 'failed',
      epochs: 0,
      validationMetrics: null,
      model: null,
      error: message,
    };
  }
}

function isScheduleToStartTimeout(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof TimeoutFailure &&
    error.cause.timeoutType === TimeoutType.SCHEDULE_TO_START
  );
}

/** Returns the innermost failure message, which names the real cause rather than "activity failed". */
export function failureMessage(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
