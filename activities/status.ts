import { planTrials } from '../core/search.js';
import type { ModelStage } from '../store/types.js';
import type { ActivityDeps } from './deps.js';
import { trialRecordId } from './ids.js';
import type { ProjectActivities } from './types.js';

type StatusActivities = Pick<
  ProjectActivities,
  'recordStatus' | 'planTrials' | 'recordTrial' | 'recordApproval'
>;

const STAGE_AFTER_DECISION: Record<'approve' | 'reject' | 'expire', ModelStage> = {
  approve: 'approved',
  reject: 'rejected',
  expire: 'expired',
};

/** Registry writes the workflow makes between stages, and the trial plan. */
export function createStatusActivities(deps: ActivityDeps): StatusActivities {
  const { registry } = deps;
  return {
    recordStatus: async (state) => {
      const previous = await registry.getProject(state.projectId);
      // Audit before the update: a retry after a failed update may log the
      // stage twice, but a stage is never missing from the log.
      if (previous?.stage !== state.stage) {
        await registry.appendAudit({
          projectId: state.projectId,
          actor: 'fullcycle',
          action: 'stage_entered',
          details: { stage: state.stage, previous: previous?.stage ?? null, error: state.error },
        });
      }
      await registry.updateProjectStatus(state.projectId, {
        stage: state.stage,
        status: state,
        error: state.error,
      });
    },

    planTrials: async ({ training }) => planTrials(training),

    recordTrial: async ({ projectId, datasetVersionId, trial }) => {
      await registry.upsertTrial({
        id: trialRecordId(datasetVersionId, trial.trialId),
        projectId,
        datasetVersionId,
        params: trial.params,
        status: trial.status,
        epochs: trial.epochs,
        queue: trial.queue || null,
        validationMetrics: trial.validationMetrics,
        model: trial.model,
        error: trial.error,
      });
    },

    recordApproval: async ({ projectId, decision }) => {
      await registry.recordApproval({
        id: `${decision.modelVersionId}-${decision.decision}`,
        projectId,
        modelVersionId: decision.modelVersionId,
        decision: decision.decision,
        approver: decision.approver,
        comment: decision.comment,
        channel: decision.channel,
        decidedAt: new Date(decision.decidedAt),
      });
      await registry.setModelStage(
        decision.modelVersionId,
        STAGE_AFTER_DECISION[decision.decision],
      );
      await registry.appendAudit({
        projectId,
        actor: decision.approver,
        action: `promotion_${decision.decision}`,
        details: {
          modelVersionId: decision.modelVersionId,
          comment: decision.comment,
          channel: decision.channel,
        },
      });
    },
  };
}
