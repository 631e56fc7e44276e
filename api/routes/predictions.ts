import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { ApiServices } from '../app.js';
import { routeSchema } from '../openapi.js';
import {
  MAX_PREDICTION_ROWS,
  PredictBodySchema,
  PredictResponseSchema,
  ProjectParamsSchema,
  type PredictBody,
} from '../schemas.js';

/** Registers POST /v1/projects/:id/predict. */
export function registerPredictionRoutes(app: FastifyInstance, services: ApiServices): void {
  const schema = routeSchema({
    summary: "Score rows with the project's deployed model",
    description:
      `Send \`rows\` (1 to ${MAX_PREDICTION_ROWS} objects) or one \`row\`, each mapping every input feature to its raw ` +
      'value, null when unknown. Every prediction is logged for monitoring. 409 when no model is deployed.',
    tags: ['predictions'],
    params: ProjectParamsSchema,
    body: PredictBodySchema,
    response: { 200: PredictResponseSchema },
    errors: [400, 401, 404, 409, 413, 415],
  });
  app.post('/v1/projects/:id/predict', { schema }, async (request) => {
    const { id } = request.params as z.infer<typeof ProjectParamsSchema>;
    return services.predictions.predict(id, request.body as PredictBody);
  });
}
