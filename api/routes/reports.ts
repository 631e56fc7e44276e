import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ApiServices } from '../app.js';
import { routeSchema } from '../openapi.js';
import { readLatestReport } from '../reports.js';
import { ProjectParamsSchema, ReportQuerySchema, ReportSchema } from '../schemas.js';

/** Registers GET /v1/projects/:id/report. */
export function registerReportRoutes(app: FastifyInstance, services: ApiServices): void {
  const schema = routeSchema({
    summary: "Get the project's latest delivery report",
    description: 'JSON by default; HTML with ?format=html or when Accept lists text/html first.',
    tags: ['reports'],
    params: ProjectParamsSchema,
    querystring: ReportQuerySchema,
    response: { 200: ReportSchema },
    errors: [400, 401, 404],
  });
  app.get('/v1/projects/:id/report', { schema }, async (request, reply) => {
    const { id } = request.params as z.infer<typeof ProjectParamsSchema>;
    const content = await readLatestReport(services, id, reportFormat(request));
    if (content.format === 'html') return reply.type('text/html; charset=utf-8').send(content.html);
    return content.report;
  });
}

function reportFormat(request: FastifyRequest): 'json' | 'html' {
  const { format } = request.query as z.infer<typeof ReportQuerySchema>;
  if (format) return format;
  const preferred = request.headers.accept?.split(',')[0]?.trim().toLowerCase() ?? '';
  return preferred.startsWith('text/html') ? 'html' : 'json';
}
