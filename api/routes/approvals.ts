import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { PromotionDecisionInput } from '../../workflows/contracts.js';
import type { ApiServices } from '../app.js';
import { requestUser, USER_HEADER } from '../auth.js';
import { ApiError } from '../errors.js';
import { routeSchema } from '../openapi.js';
import {
  ApprovalBodySchema,
  ApprovalDecisionSchema,
  ProjectParamsSchema,
  type ApprovalBody,
} from '../schemas.js';

/** Registers POST /v1/projects/:id/approvals. */
export function registerApprovalRoutes(app: FastifyInstance, services: ApiServices): void {
  const schema = routeSchema({
    summary: 'Approve or reject the model that awaits approval',
    description: `The approver defaults to the ${USER_HEADER} header. 409 when no model awaits approval.`,
    tags: ['approvals'],
    params: ProjectParamsSchema,
    body: ApprovalBodySchema,
    response: { 200: ApprovalDecisionSchema },
    errors: [400, 401, 404, 409, 415, 503],
  });
  app.post('/v1/projects/:id/approvals', { schema }, async (request) => {
    const { id } = request.params as z.infer<typeof ProjectParamsSchema>;
    const body = request.body as ApprovalBody;
    return services.projects.decide(id, body.decision, decisionInput(body, requestUser(request)));
  });
}

function decisionInput(body: ApprovalBody, headerUser: string | undefined): PromotionDecisionInput {
  const approver = body.approver ?? headerUser;
  if (!approver) {
    const message = `is required: send approver in the body or the ${USER_HEADER} header`;
    throw new ApiError(400, 'invalid_request', `approver ${message}`, [
      { part: 'body', path: 'approver', message },
    ]);
  }
  const input: PromotionDecisionInput = { approver };
  if (body.comment !== undefined) input.comment = body.comment;
  if (body.modelVersionId !== undefined) input.modelVersionId = body.modelVersionId;
  return input;
}
