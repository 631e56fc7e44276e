/**
 * Calls from the API to project workflows, with Temporal's errors mapped to
 * API errors. Every call has a deadline, because a query or update waits
 * for a worker and none may be running.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { TrialHeartbeat } from '../activities/training.js';
import {
  isGrpcServiceError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import type { ProjectSpec } from '../core/spec.js';
import {
  PROJECT_WORKFLOW_TYPE,
  SEARCH_ATTRIBUTES,
  TASK_QUEUES,
  statusQuery,
  type ProjectState,
  type ProjectWorkflowInput,
} from '../workflows/contracts.js';
import { ApiError, conflict, unavailable } from './errors.js';

/** How long a status query may wait for a worker before the API falls back to the registry. */
export const STATUS_QUERY_TIMEOUT_MS = 5_000;

/** gRPC status codes that mean the Temporal server could not be reached or did not respond in time. */
const UNREACHABLE_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

/**
 * Starts the project workflow, refusing a second one with the same id.
 *
 * @throws ApiError 409 when the workflow id is taken, 503 when Temporal is
 *   unreachable, 500 for any other failure; each message gives the cause.
 */
export async function startProjectWorkflow(
  temporal: Client,
  start: { projectId: string; workflowId: string; spec: ProjectSpec; submittedBy: string },
): Promise<void> {
  const input: ProjectWorkflowInput = {
    projectId: start.projectId,
    spec: start.spec,
    submittedBy: start.submittedBy,
  };
  try {
    await temporal.workflow.start(PROJECT_WORKFLOW_TYPE, {
      workflowId: start.workflowId,
      taskQueue: TASK_QUEUES.main,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.project, value: start.projectId },
        { key: SEARCH_ATTRIBUTES.stage, value: 'initiation' },
      ],
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      throw conflict(
        `workflow ${start.workflowId} already exists in Temporal; choose another project id`,
        error,
      );
    }
    throw temporalFailure(`could not start workflow ${start.workflowId}`, error);
  }
}

/**
 * Runs the workflow's `status` query. Returns null, and never throws, when
 * the query fails or times out, such as when no worker runs or the workflow
 * is gone. `onFailure` receives the error.
 */
export async function queryProjectState(
  temporal: Client,
  workflowId: string,
  onFailure: (error: unknown) => void,
): Promise<ProjectState | null> {
  try {
    const handle = temporal.workflow.getHandle(workflowId);
    return await temporal.withDeadline(Date.now() + STATUS_QUERY_TIMEOUT_MS, () =>
      handle.query(statusQuery),
    );
  } catch (error) {
    onFailure(error);
    return null;
  }
}

/**
 * gRPC status codes with which the server turns an update away for now: the
 * workflow task is failing or has not run (FAILED_PRECONDITION), or too many
 * requests are in flight (RESOURCE_EXHAUSTED). A later try may succeed.
 */
const UPDATE_NOT_ACCEPTED_CODES = new Set([
  8 /* RESOURCE_EXHAUSTED */, 9 /* FAILED_PRECONDITION */,
]);

/** An update for executeProjectUpdate to send. */
export interface ProjectUpdateCall<Ret> {
  workflowId: string;
  name: string;
  send: (handle: WorkflowHandle) => Promise<Ret>;
  timeoutMs: number;
  /** The 409 message for a workflow that has ended, which can take no update. */
  endedMessage: string;
}

/**
 * Sends an update to a project workflow and waits for its result.
 *
 * @throws ApiError 409 when the workflow's validator or handler rejects the
 *   update (with the workflow's message) or the workflow has ended (with
 *   `endedMessage`). 503 when the workflow does not accept the update within
 *   `timeoutMs`, such as when no worker runs or its workflow task keeps
 *   failing, or when Temporal is unreachable. 500 otherwise.
 */
export async function executeProjectUpdate<Ret>(
  temporal: Client,
  call: ProjectUpdateCall<Ret>,
): Promise<Ret> {
  const handle = temporal.workflow.getHandle(call.workflowId);
  try {
    return await temporal.withDeadline(Date.now() + call.timeoutMs, () => call.send(handle));
  } catch (error) {
    throw updateFailure(call, error);
  }
}

function updateFailure(call: ProjectUpdateCall<unknown>, error: unknown): ApiError {
  if (error instanceof WorkflowUpdateFailedError)
    return conflict(error.cause?.message ?? error.message, error);
  if (error instanceof WorkflowNotFoundError) {
    if (/already completed/i.test(error.message)) return conflict(call.endedMessage, error);
    return conflict(
      `workflow ${call.workflowId} was not found in Temporal, so it cannot take this request`,
      error,
    );
  }
  const grpc = grpcCause(error);
  const notAccepted =
    grpc !== null &&
    (UPDATE_NOT_ACCEPTED_CODES.has(grpc.code) || grpc.code === 4); /* DEADLINE_EXCEEDED */
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || notAccepted) {
    const reason = grpc?.details || (error as Error).message;
    return unavailable(
      `workflow ${call.workflowId} did not accept the request in time (${reason}); ` +
        `retry in a minute, and if it persists check that a worker polls task queue ${TASK_QUEUES.main} ` +
        'and that the workflow task is not failing (the Temporal UI shows it)',
      error,
    );
  }
  return temporalFailure(`update ${call.name} on workflow ${call.workflowId} failed`, error);
}

/**
 * Checks that the Temporal server responds.
 *
 * @throws the client's error when it does not respond within `timeoutMs`.
 */
export async function pingTemporal(temporal: Client, timeoutMs: number): Promise<void> {
  await temporal.withDeadline(Date.now() + timeoutMs, () =>
    temporal.workflowService.getSystemInfo({}),
  );
}

/** Maps a Temporal client error to 503 when the server is unreachable, else 500; both carry the cause. */
function temporalFailure(action: string, error: unknown): ApiError {
  const grpc = grpcCause(error);
  const reason = grpc?.details || (error as Error).message;
  if (grpc && UNREACHABLE_CODES.has(grpc.code)) {
    return unavailable(
      `${action}: Temporal is unreachable (${reason}); check that the Temporal server runs`,
      error,
    );
  }
  return new ApiError(500, 'internal', `${action}: ${reason}`, undefined, { cause: error });
}

/** Returns the gRPC error itself or its cause, as the client wraps it in a ServiceError; null when there is none. */
function grpcCause(error: unknown): { code: number; details?: string } | null {
  const cause = (error as { cause?: unknown }).cause;
  if (isGrpcServiceError(error)) return error;
  return isGrpcServiceError(cause) ? cause : null;
}

/** A trial that is training now, from its activity's latest heartbeat. */
export interface RunningTrial {
  /** Null until the trial's first heartbeat arrives. */
  trialId: string | null;
  epoch: number;
  epochs: number | null;
  validationLoss: number | null;
  attempt: number;
}

/**
 * Reads the progress of running trials from the workflow's pending
 * activities. Returns an empty list, and never throws, when the workflow
 * cannot be described. `onFailure` receives the error.
 */
export async function queryRunningTrials(
  temporal: Client,
  workflowId: string,
  onFailure: (error: unknown) => void,
): Promise<RunningTrial[]> {
  try {
    const handle = temporal.workflow.getHandle(workflowId);
    const description = await temporal.withDeadline(Date.now() + STATUS_QUERY_TIMEOUT_MS, () =>
      handle.describe(),
    );
    return (description.raw.pendingActivities ?? [])
      .filter((activity) => activity.activityType?.name === 'runTrial')
      .map((activity) => {
        const payload = activity.heartbeatDetails?.payloads?.[0];
        const beat = payload
          ? (defaultPayloadConverter.fromPayload(payload) as Partial<TrialHeartbeat>)
          : {};
        return {
          trialId: beat.trialId ?? null,
          epoch: beat.epoch ?? 0,
          epochs: beat.epochs ?? null,
          validationLoss: beat.validationLoss ?? null,
          attempt: activity.attempt ?? 1,
        };
      });
  } catch (error) {
    onFailure(error);
    return [];
  }
}
