/**
 * The project workflow's state object and its stage bookkeeping. Workflow
 * code only: `Date.now()` here is the workflow clock, which replays
 * deterministically.
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import {
  SEARCH_ATTRIBUTES,
  type ProjectState,
  type ProjectWorkflowInput,
  type Stage,
} from './contracts.js';

export function initialState(input: ProjectWorkflowInput): ProjectState {
  return {
    projectId: input.projectId,
    name: input.spec.name,
    stage: 'initiation',
    stageHistory: [],
    dataset: null,
    trials: [],
    candidate: null,
    pendingApproval: null,
    approval: null,
    deployment: null,
    report: null,
    monitoring: { checks: 0, last: null },
    error: null,
    run: 1,
  };
}

/** Closes the running stage as completed, opens `stage` and publishes it as a search attribute. */
export function enterStage(state: ProjectState, stage: Stage): void {
  closeStage(state, 'completed');
  const now = new Date(Date.now()).toISOString();
  state.stage = stage;
  state.stageHistory.push({
    stage,
    startedAt: now,
    endedAt: null,
    durationMs: null,
    outcome: 'running',
  });
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.stage, value: stage }]);
}

/** Marks the running stage, if any, as ended with `outcome`. */
export function closeStage(state: ProjectState, outcome: 'completed' | 'failed'): void {
  const current = state.stageHistory.at(-1);
  if (!current || current.endedAt !== null) return;
  const now = Date.now();
  current.endedAt = new Date(now).toISOString();
  current.durationMs = now - Date.parse(current.startedAt);
  current.outcome = outcome;
}

/** Sets an end state (rejected, expired, no candidate, failed) that has no duration of its own. */
export function endIn(state: ProjectState, stage: Stage, outcome: 'completed' | 'failed'): void {
  closeStage(state, outcome);
  const now = new Date(Date.now()).toISOString();
  state.stage = stage;
  state.stageHistory.push({ stage, startedAt: now, endedAt: now, durationMs: 0, outcome });
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.stage, value: stage }]);
}
