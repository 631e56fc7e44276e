import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { z } from 'zod';
import { ValidationError, issuesFromZod, type FieldIssue } from '../core/errors.js';
import { ErrorBodySchema } from './schemas.js';

/** URL prefix of the Swagger UI; the OpenAPI document is at `<prefix>/json`. */
export const DOCS_PREFIX = '/docs';

/** The zod schema behind each request JSON Schema that routeSchema built, for the validator compiler. */
const zodByJsonSchema = new WeakMap<object, z.ZodType>();

/** The zod schemas of one route, with its OpenAPI description. */
export interface RouteSchemaParts {
  summary: string;
  description?: string;
  tags: string[];
  /** Content types the body may have; application/json when unset. */
  consumes?: string[];
  body?: z.ZodType;
  querystring?: z.ZodType;
  params?: z.ZodType;
  /** Response schemas by status code; error statuses get the ErrorBody shape. */
  response: Record<number, z.ZodType>;
  /** Error statuses this route may respond with, documented as ErrorBody. */
  errors?: number[];
}

/**
 * Builds a fastify route schema from zod schemas: JSON Schema (OpenAPI 3.0
 * dialect) for the document, and validation with zod itself at request time.
 */
export function routeSchema(parts: RouteSchemaParts): FastifySchema {
  const response: Record<number, unknown> = {};
  for (const [status, schema] of Object.entries(parts.response))
    response[Number(status)] = toJsonSchema(schema, 'output');
  for (const status of parts.errors ?? [])
    response[status] = toJsonSchema(ErrorBodySchema, 'output');

  const schema: FastifySchema & Record<string, unknown> = {
    summary: parts.summary,
    tags: parts.tags,
    response,
  };
  if (parts.description) schema.description = parts.description;
  if (parts.consumes) schema.consumes = parts.consumes;
  if (parts.body) schema.body = requestJsonSchema(parts.body);
  if (parts.querystring) schema.querystring = requestJsonSchema(parts.querystring);
  if (parts.params) schema.params = requestJsonSchema(parts.params);
  return schema;
}

function requestJsonSchema(schema: z.ZodType): object {
  const json = toJsonSchema(schema, 'input');
  zodByJsonSchema.set(json, schema);
  return json;
}

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

const PART_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'params' };

/**
 * Makes fastify validate requests with the zod schemas that routeSchema
 * registered, replacing each part with zod's output (defaults applied,
 * strings coerced), and serialize responses with plain JSON.stringify, so
 * response schemas only document. A failure is a ValidationError, which the
 * error handler maps to a 400 naming the part.
 *
 * @throws Error at route registration when a schema did not come from routeSchema.
 */
export function useZodCompilers(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart, method, url }) => {
    const zodSchema = zodByJsonSchema.get(schema);
    if (!zodSchema)
      throw new Error(`${method} ${url}: the ${httpPart} schema must be built with routeSchema()`);
    const subject = `request ${PART_NAMES[httpPart ?? ''] ?? httpPart}`;
    return (data: unknown) => {
      if (data === null && httpPart === 'body') {
        return {
          error: new ValidationError(subject, [
            { path: '', message: 'is missing: send a JSON object' },
          ]),
        };
      }
      const result = zodSchema.safeParse(data);
      if (result.success) return { value: result.data };
      return { error: new ValidationError(subject, requestIssues(result.error, data)) };
    };
  });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}

/** Maps zod issues to field issues, with one issue per unknown field instead of one for the whole object. */
function requestIssues(error: z.ZodError, data: unknown): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    if (issue.code !== 'unrecognized_keys') return issuesFromZod(new z.ZodError([issue]), data);
    const parent = issue.path.reduce<unknown>(
      (value, key) => (value as Record<PropertyKey, unknown>)?.[key],
      data,
    );
    return issue.keys.map((key) => ({
      path: [...issue.path.map(String), key].join('.'),
      value: (parent as Record<string, unknown>)[key],
      message: 'is not a known field',
    }));
  });
}

/** Registers the OpenAPI document and the Swagger UI under DOCS_PREFIX; call before adding routes. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Fullcycle API',
        version: '1',
        description:
          'Submit AI projects, follow their stages, approve models and score with the deployed one.',
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'Required when the server sets FULLCYCLE_API_TOKEN',
          },
        },
      },
      security: [{ bearerAuth: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX });
}
