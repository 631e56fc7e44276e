import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { parseSpecText } from '../../core/spec-file.js';
import { ProjectSpecSchema } from '../../core/spec.js';
import type { ApiServices } from '../app.js';
import { requestUser } from '../auth.js';
import { ApiError } from '../errors.js';
import { unsupportedMediaTypeMessage, YAML_MEDIA_TYPES } from '../fastify-errors.js';
import { routeSchema } from '../openapi.js';
import {
  CreatedProjectSchema,
  CreateProjectQuerySchema,
  ListProjectsQuerySchema,
  ProjectDetailSchema,
  ProjectListSchema,
  ProjectParamsSchema,
} from '../schemas.js';

/**
 * Registers POST /v1/projects, GET /v1/projects and GET /v1/projects/:id,
 * and the YAML body parser, which only POST /v1/projects accepts.
 */
export function registerProjectRoutes(app: FastifyInstance, services: ApiServices): void {
  app.addContentTypeParser(YAML_MEDIA_TYPES, { parseAs: 'string' }, (request, body, done) => {
    if (request.routeOptions.url !== '/v1/projects') {
      done(
        new ApiError(
          415,
          'invalid_request',
          unsupportedMediaTypeMessage(request.headers['content-type']),
        ),
        undefined,
      );
      return;
    }
    try {
      done(null, parseSpecText(body as string, 'yaml', 'request body'));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  registerCreateRoute(app, services);
  registerListRoute(app, services);
  registerGetRoute(app, services);
}

function registerCreateRoute(app: FastifyInstance, services: ApiServices): void {
  const createSchema = routeSchema({
    summary: 'Submit a project spec and start its workflow',
    description:
      'The body is the spec as JSON, or as YAML with Content-Type application/yaml. Relative data paths are resolved ' +
      'against the first allowed data root, and every path must lie inside an allowed root.',
    tags: ['projects'],
    consumes: ['application/json', ...YAML_MEDIA_TYPES],
    body: ProjectSpecSchema,
    querystring: CreateProjectQuerySchema,
    response: { 201: CreatedProjectSchema },
    errors: [400, 401, 409, 413, 415, 500, 503],
  });
  app.post('/v1/projects', { schema: createSchema }, async (request, reply) => {
    const { id } = request.query as z.infer<typeof CreateProjectQuerySchema>;
    const created = await services.projects.create(request.body, {
      id,
      submittedBy: requestUser(request) ?? 'api',
    });
    return reply.code(201).header('location', created.links.self).send(created);
  });
}

function registerListRoute(app: FastifyInstance, services: ApiServices): void {
  const listSchema = routeSchema({
    summary: 'List projects, newest first',
    tags: ['projects'],
    querystring: ListProjectsQuerySchema,
    response: { 200: ProjectListSchema },
    errors: [400, 401],
  });
  app.get('/v1/projects', { schema: listSchema }, async (request) => {
    const { limit, offset } = request.query as z.infer<typeof ListProjectsQuerySchema>;
    const projects = await services.projects.list({ limit, offset });
    return {
      projects: projects.map(({ id, name, owner, stage, workflowId, createdAt, updatedAt }) => ({
        id,
        name,
        owner,
        stage,
        workflowId,
        createdAt: createdAt.toISOString(),
        updatedAt: updatedAt.toISOString(),
      })),
      limit,
      offset,
    };
  });
}

function registerGetRoute(app: FastifyInstance, services: ApiServices): void {
  const getSchema = routeSchema({
    summary: "Show a project's stage, trials, candidate, approval and deployment",
    description:
      'Live from the workflow when it responds, else the last snapshot in the registry (see `source`).',
    tags: ['projects'],
    params: ProjectParamsSchema,
    response: { 200: ProjectDetailSchema },
    errors: [400, 401, 404],
  });
  app.get('/v1/projects/:id', { schema: getSchema }, async (request) => {
    const { id } = request.params as z.infer<typeof ProjectParamsSchema>;
    return services.projects.inspect(id);
  });
}
