import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { ApiServices } from '../app.js';
import { routeSchema } from '../openapi.js';
import { MonitoringCheckSchema, ProjectParamsSchema } from '../schemas.js';

/** Registers POST /v1/projects/:id/monitoring/run. */
export function registerMonitoringRoutes(app: FastifyInstance, services: ApiServices): void {
  const schema = routeSchema({
    summary: 'Run a drift check now',
    description:
      'Compares logged predictions with the training data. 409 unless a model is serving.',
    tags: ['monitoring'],
    params: ProjectParamsSchema,
    response: { 200: MonitoringCheckSchema },
    errors: [400, 401, 404, 409, 503],
  });
  app.post('/v1/projects/:id/monitoring/run', { schema }, async (request) => {
    const { id } = request.params as z.infer<typeof ProjectParamsSchema>;
    return services.projects.runMonitoring(id);
  });
}
