/**
 * The project workflow: one long-lived run per project that carries it from
 * spec to a served, monitored model. Deterministic code only; all I/O happens
 * in activities, which receive and return references, never data.
 */
import {
  ApplicationFailure,
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
// The SDK's parser of duration strings; spec durations (such as 72h) are a subset of its format.
import { msToNumber as durationToMs } from '@temporalio/common/lib/time.js';
import type { ProjectActivities } from '../activities/types.js';
import {
  SEARCH_ATTRIBUTES,
  runMonitoringUpdate,
  statusQuery,
  type MonitoringCheck,
  type ProjectState,
  type ProjectWorkflowInput,
} from './contracts.js';
import { registerApprovalHandlers } from './approval.js';
import { closeStage, endIn, enterStage, initialState } from './state.js';
import { failureMessage, runTrials } from './training.js';

/** Errors that no retry can fix: the input itself is wrong. */
const NON_RETRYABLE = ['INVALID_INPUT', 'DATA_INVALID', 'INFEASIBLE', 'SOURCE_NOT_ALLOWED'];

const registry = proxyActivities<ProjectActivities>({
  startToCloseTimeout: '1m',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

const stageWork = proxyActivities<ProjectActivities>({
  startToCloseTimeout: '30m',
  heartbeatTimeout: '2m',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '2m',
    maximumAttempts: 5,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

export async function projectWorkflow(input: ProjectWorkflowInput): Promise<ProjectState> {
  const { spec } = input;
  const state = input.carried ?? initialState(input);
  setHandler(statusQuery, () => state);
  registerApprovalHandlers(state, spec);
  const monitor = registerMonitoringHandler(state, input);

  if (!input.carried) {
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.project, value: state.projectId }]);
    const serving = await runLifecycle(state, input);
    if (!serving) return state;
  }
  return await serveAndMonitor(state, input, monitor);
}

interface Monitor {
  /** Runs one drift check, or joins the one already running. */
  check(): Promise<MonitoringCheck>;
  idle(): boolean;
}

function registerMonitoringHandler(state: ProjectState, input: ProjectWorkflowInput): Monitor {
  let running: Promise<MonitoringCheck> | null = null;
  const check = (): Promise<MonitoringCheck> => {
    running ??= runCheck(state, input).finally(() => {
      running = null;
    });
    return running;
  };
  setHandler(runMonitoringUpdate, check, {
    validator: () => {
      if (state.stage !== 'serving')
        throw new Error(`no model is serving: project is in stage ${state.stage}`);
    },
  });
  return { check, idle: () => running === null };
}

/** Runs stages 1 to 6; returns true when a model is deployed and serving. */
async function runLifecycle(state: ProjectState, input: ProjectWorkflowInput): Promise<boolean> {
  const { spec, projectId } = input;
  try {
    await transition(state, 'initiation');
    await stageWork.checkFeasibility({ projectId, data: spec.data });

    await transition(state, 'data');
    const ingest = await stageWork.ingestDataset({ projectId, data: spec.data });
    const prepared = await stageWork.prepareDataset({ data: spec.data, dataset: ingest.dataset });
    const { profile } = await stageWork.profileDataset({ dataset: ingest.dataset });
    const dataset = await registry.registerDatasetVersion({ projectId, ingest, prepared, profile });
    state.dataset = dataset;

    await transition(state, 'training');
    const plans = await registry.planTrials({ training: spec.training });
    await runTrials({ state, spec, dataset, acts: registry }, plans);
    if (!state.trials.some((trial) => trial.status === 'completed')) {
      throw ApplicationFailure.nonRetryable(
        `all ${plans.length} trials failed; first error: ${state.trials[0]?.error ?? 'none recorded'}`,
        'TRAINING_FAILED',
      );
    }

    await transition(state, 'evaluation');
    const evaluation = await stageWork.evaluateTrials({
      projectId,
      dataset,
      trials: state.trials,
      evaluation: spec.evaluation,
      selectionMetric: spec.training.selectionMetric,
    });
    state.candidate = evaluation.candidate;
    if (!state.candidate) {
      endIn(state, 'no_candidate', 'completed');
      await registry.recordStatus(state);
      return false;
    }

    const approved = await awaitApproval(state, input);
    if (!approved) return false;

    await transition(state, 'deployment');
    const candidate = state.candidate;
    const exported = await stageWork.exportModel({ projectId, candidate, dataset });
    state.deployment = await stageWork.deployModel({
      projectId,
      candidate,
      onnx: exported.onnx,
      onnxMaxAbsDiff: exported.maxAbsDiff,
      dataset,
      threshold: spec.evaluation.threshold,
    });
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.modelVersion, value: candidate.modelVersionId },
    ]);

    await transition(state, 'delivery');
    state.report = await stageWork.buildReport({ state, spec });
    await transition(state, 'serving');
    return true;
  } catch (error) {
    await failProject(state, error);
    throw error;
  }
}

/** Waits for a person's decision until the spec's deadline; returns true when approved. */
async function awaitApproval(state: ProjectState, input: ProjectWorkflowInput): Promise<boolean> {
  const timeoutMs = durationToMs(input.spec.approval.timeout);
  const candidate = state.candidate!;
  state.pendingApproval = {
    modelVersionId: candidate.modelVersionId,
    requestedAt: new Date(Date.now()).toISOString(),
    deadline: new Date(Date.now() + timeoutMs).toISOString(),
  };
  await transition(state, 'awaiting_approval');

  const decided = await condition(() => state.approval !== null, timeoutMs);
  if (!decided) {
    state.pendingApproval = null;
    state.approval = {
      decision: 'expire',
      approver: 'system',
      comment: `no decision within ${input.spec.approval.timeout}`,
      modelVersionId: candidate.modelVersionId,
      channel: 'timer',
      decidedAt: new Date(Date.now()).toISOString(),
    };
  }
  const decision = state.approval!;
  await registry.recordApproval({ projectId: state.projectId, decision });
  log.info('Promotion decided', { decision: decision.decision, approver: decision.approver });
  if (decision.decision === 'approve') return true;

  endIn(state, decision.decision === 'reject' ? 'rejected' : 'approval_expired', 'completed');
  await registry.recordStatus(state);
  return false;
}

/**
 * Serves the deployed model: runs a drift check every monitoring interval or
 * on request, and continues as new after `checksPerRun` checks or when the
 * server suggests it, so the history stays small.
 */
async function serveAndMonitor(
  state: ProjectState,
  input: ProjectWorkflowInput,
  monitor: Monitor,
): Promise<ProjectState> {
  const { interval, checksPerRun } = input.spec.monitoring;
  for (let checks = 0; checks < checksPerRun; checks++) {
    await condition(() => workflowInfo().continueAsNewSuggested, durationToMs(interval));
    if (workflowInfo().continueAsNewSuggested) break;
    await monitor.check();
  }
  // continue-as-new drops in-flight handlers, so wait for them first.
  await condition(() => monitor.idle() && allHandlersFinished());
  state.run += 1;
  return await continueAsNew<typeof projectWorkflow>({ ...input, carried: state });
}

async function runCheck(
  state: ProjectState,
  input: ProjectWorkflowInput,
): Promise<MonitoringCheck> {
  const result = await stageWork.checkDrift({
    projectId: state.projectId,
    deploymentId: state.deployment!.deploymentId,
    dataset: state.dataset!,
    monitoring: input.spec.monitoring,
  });
  state.monitoring = { checks: state.monitoring.checks + 1, last: result };
  state.report = await stageWork.buildReport({ state, spec: input.spec });
  await registry.recordStatus(state);
  return result;
}

async function transition(state: ProjectState, stage: ProjectState['stage']): Promise<void> {
  enterStage(state, stage);
  await registry.recordStatus(state);
}

async function failProject(state: ProjectState, error: unknown): Promise<void> {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  state.error = {
    stage: state.stage,
    type: cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : 'Error',
    message: failureMessage(error),
  };
  log.error('Project failed', { stage: state.stage, error: state.error.message });
  closeStage(state, 'failed');
  endIn(state, 'failed', 'failed');
  // The failure must reach the registry even though the workflow then fails.
  await registry.recordStatus(state);
}
