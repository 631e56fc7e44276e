import type { FastifyInstance } from 'fastify';
import type { ApiServices } from '../app.js';
import { checkHealth } from '../health.js';
import { routeSchema } from '../openapi.js';
import { HealthFailureSchema, HealthSchema } from '../schemas.js';

/** Registers GET /healthz, which needs no token. */
export function registerHealthRoutes(app: FastifyInstance, services: ApiServices): void {
  const schema = routeSchema({
    summary: 'Check that the database and Temporal answer',
    tags: ['health'],
    response: { 200: HealthSchema, 503: HealthFailureSchema },
  });
  app.get('/healthz', { schema }, async (request, reply) => {
    const health = await checkHealth(services);
    if (health.healthy) return { status: 'ok', database: 'ok', temporal: 'ok' };

    const failed = Object.entries({ database: health.database, temporal: health.temporal })
      .filter(([, outcome]) => outcome !== 'ok')
      .map(([name, outcome]) => `${name} ${outcome}`);
    request.log.warn(
      { database: health.database, temporal: health.temporal },
      'health check failed',
    );
    return reply.code(503).send({
      error: 'unavailable',
      message: `unhealthy: ${failed.join('; ')}`,
      checks: { database: health.database, temporal: health.temporal },
    });
  });
}
