import type { ApprovalDecision } from '../../workflows/contracts.js';
import {
  parseCommandArgs,
  printJson,
  projectPath,
  UsageError,
  type HttpCommand,
} from './common.js';

/** Builds `approve` or `reject`: both send a decision on the model that awaits approval. */
function decisionCommand(decision: 'approve' | 'reject'): HttpCommand {
  return {
    name: decision,
    usage: '<id> --approver NAME [--comment TEXT] [--model-version ID] [--json]',
    summary: `${decision === 'approve' ? 'Approve' : 'Reject'} the model that awaits approval`,
    async run(args, context) {
      const options = {
        approver: { type: 'string' },
        comment: { type: 'string' },
        'model-version': { type: 'string' },
        json: { type: 'boolean' },
      } as const;
      const { values, positionals } = parseCommandArgs(args, options, ['PROJECT_ID']);
      const id = positionals[0]!;
      if (!values.approver)
        throw new UsageError('missing --approver NAME: the decision is recorded under this name');
      const result = await context.client.json<ApprovalDecision>({
        method: 'POST',
        path: projectPath(id, '/approvals'),
        body: {
          decision,
          approver: values.approver,
          comment: values.comment,
          modelVersionId: values['model-version'],
        },
      });
      if (values.json) return printJson(context, result);
      const verb = result.decision === 'approve' ? 'Approved' : 'Rejected';
      context.print(
        `${verb} model ${result.modelVersionId} of project ${id} as ${result.approver}.`,
      );
    },
  };
}

/** `approve`: approves the candidate, so the workflow deploys it. */
export const approveCommand = decisionCommand('approve');
/** `reject`: rejects the candidate, which ends the project's run. */
export const rejectCommand = decisionCommand('reject');
