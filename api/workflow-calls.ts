/**
 * Calls from the API to project workflows, with Temporal's errors mapped to
 * API errors. Every call has a deadline, because a query or update waits
 * for a worker and none may be running.
 */
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
  const input: ProjectWorkflowInput = { projectId: start.projectId, spec: start.spec, submittedBy: start.submittedBy };
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
      throw conflict(`workflow ${start.workflowId} already exists in Temporal; choose another project id`, error);
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
    return await temporal.withDeadline(Date.now() + STATUS_QUERY_TIMEOUT_MS, () => handle.query(statusQuery));
  } catch (error) {
    onFailure(error);
    return null;
  }
}

/**
 * Sends an update to a project workflow and waits for its result.
 *
 * @throws ApiError 409 when the workflow's validator or handler rejects the
 *   update (the message is the workflow's) or the workflow is not running;
 *   503 when no worker responds within `timeoutMs` or Temporal is unreachable.
 */
export async function executeProjectUpdate<Ret>(
  temporal: Client,
  call: { workflowId: string; name: string; send: (handle: WorkflowHandle) => Promise<Ret>; timeoutMs: number },
): Promise<Ret> {
  const handle = temporal.workflow.getHandle(call.workflowId);
  try {
    return await temporal.withDeadline(Date.now() + call.timeoutMs, () => call.send(handle));
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw conflict(error.cause?.message ?? error.message, error);
    if (error instanceof WorkflowNotFoundError) {
      throw conflict(`workflow ${call.workflowId} is not running, so it cannot take this request: ${error.message}`, error);
    }
    if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
      throw unavailable(
        `workflow ${call.workflowId} did not respond within ${call.timeoutMs / 1000} s; ` +
          `check that a worker polls task queue ${TASK_QUEUES.main}`,
        error,
      );
    }
    throw temporalFailure(`update ${call.name} on workflow ${call.workflowId} failed`, error);
  }
}

/**
 * Checks that the Temporal server responds.
 *
 * @throws the client's error when it does not respond within `timeoutMs`.
 */
export async function pingTemporal(temporal: Client, timeoutMs: number): Promise<void> {
  await temporal.withDeadline(Date.now() + timeoutMs, () => temporal.workflowService.getSystemInfo({}));
}

/** Maps a Temporal client error to 503 when the server is unreachable, else 500; both carry the cause. */
function temporalFailure(action: string, error: unknown): ApiError {
  const cause = (error as { cause?: unknown }).cause;
  const grpc = isGrpcServiceError(error) ? error : isGrpcServiceError(cause) ? cause : null;
  const reason = grpc?.details || (error as Error).message;
  if (grpc && UNREACHABLE_CODES.has(grpc.code)) {
    return unavailable(`${action}: Temporal is unreachable (${reason}); check that the Temporal server runs`, error);
  }
  return new ApiError(500, 'internal', `${action}: ${reason}`, undefined, { cause: error });
}
