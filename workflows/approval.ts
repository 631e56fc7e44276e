/**
 * The human approval step. Updates (validated, so the caller learns at once
 * whether the decision was accepted) and the Signal (for the Temporal Web UI)
 * share one validator and one handler.
 */
import { log, setHandler } from '@temporalio/workflow';
import type { ProjectSpec } from '../core/spec.js';
import {
  approvePromotionUpdate,
  promotionDecisionSignal,
  rejectPromotionUpdate,
  type ApprovalDecision,
  type ProjectState,
  type PromotionDecisionInput,
} from './contracts.js';

/**
 * Throws when a decision cannot apply now: the candidate was already
 * decided, nothing awaits approval, the approver is missing or not allowed,
 * the text contains NUL characters, or it names another model version.
 * Synchronous, because an async Update validator's rejection is ignored.
 */
export function validateDecision(
  state: ProjectState,
  spec: ProjectSpec,
  input: PromotionDecisionInput | undefined,
): void {
  const pending = requirePending(state);

  const approver = typeof input?.approver === 'string' ? input.approver.trim() : '';
  if (approver === '') {
    throw new Error('approver is required: send the name of the person who decides');
  }
  const allowed = spec.approval.approvers;
  if (allowed && !allowed.includes(approver)) {
    throw new Error(`approver "${approver}" is not allowed: the spec allows ${allowed.join(', ')}`);
  }

  if (input?.comment !== undefined && typeof input.comment !== 'string') {
    throw new Error('comment must be a string');
  }
  // The registry stores text in Postgres, which rejects NUL characters.
  if (approver.includes('\u0000') || input?.comment?.includes('\u0000')) {
    throw new Error('approver and comment must not contain NUL characters');
  }

  if (input?.modelVersionId !== undefined && input.modelVersionId !== pending.modelVersionId) {
    throw new Error(
      `model version ${input.modelVersionId} does not await approval: ${pending.modelVersionId} does`,
    );
  }
}

/** Returns the pending approval, or throws saying who decided the candidate or why none awaits. */
function requirePending(state: ProjectState): NonNullable<ProjectState['pendingApproval']> {
  const pending = state.pendingApproval;
  if (pending) return pending;

  const decided = state.approval;
  if (decided) {
    const verb = { approve: 'approved', reject: 'rejected', expire: 'expired' }[decided.decision];
    throw new Error(
      `model version ${decided.modelVersionId} was already ${verb} by ${decided.approver} at ${decided.decidedAt}`,
    );
  }
  throw new Error(
    `no model awaits approval: project ${state.projectId} is in stage ${state.stage}`,
  );
}

/** Registers the approval handlers; a decision lands in `state.approval` and clears the pending approval. */
export function registerApprovalHandlers(state: ProjectState, spec: ProjectSpec): void {
  const decide = (
    input: PromotionDecisionInput,
    decision: 'approve' | 'reject',
    channel: 'update' | 'signal',
  ): ApprovalDecision => {
    const pending = state.pendingApproval!;
    state.approval = {
      decision,
      approver: input.approver.trim(),
      comment: input.comment ?? '',
      modelVersionId: pending.modelVersionId,
      channel,
      decidedAt: new Date(Date.now()).toISOString(),
    };
    state.pendingApproval = null;
    return state.approval;
  };

  const validator = (input: PromotionDecisionInput): void => validateDecision(state, spec, input);
  setHandler(approvePromotionUpdate, (input) => decide(input, 'approve', 'update'), { validator });
  setHandler(rejectPromotionUpdate, (input) => decide(input, 'reject', 'update'), { validator });

  setHandler(promotionDecisionSignal, (input) => {
    const decision = input?.decision;
    try {
      if (decision !== 'approve' && decision !== 'reject') {
        throw new Error(`decision must be "approve" or "reject" (got ${JSON.stringify(decision)})`);
      }
      validateDecision(state, spec, input);
    } catch (error) {
      // A Signal cannot be refused, so an invalid one is logged and dropped.
      log.warn('Promotion decision signal ignored', { reason: (error as Error).message, input });
      return;
    }
    decide(input, decision, 'signal');
  });
}
