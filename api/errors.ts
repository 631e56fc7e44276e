import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError, type FieldIssue } from '../core/errors.js';

/** The stable error codes of the API, one per class of failure. */
export type ErrorCode = 'invalid_request' | 'not_found' | 'conflict' | 'unauthorized' | 'unavailable' | 'internal';

/** The part of a request that an issue is in. */
export type RequestPart = 'body' | 'query' | 'params';

/** One rejected field of a request. */
export interface ApiIssue {
  part: RequestPart;
  /** Dotted path inside the part, such as `rows.0.duration_months`; empty for the part as a whole. */
  path: string;
  value?: unknown;
  message: string;
}

/** The body of every 4xx and 5xx response. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  issues?: ApiIssue[];
}

/** An error that becomes one HTTP response with the given status and code. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly errorCode: ErrorCode,
    message: string,
    readonly issues?: ApiIssue[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
  }

  /** Returns the response body; `issues` is present only when there are some. */
  toBody(): ErrorBody {
    const body: ErrorBody = { error: this.errorCode, message: this.message };
    if (this.issues && this.issues.length > 0) body.issues = this.issues;
    return body;
  }
}

/** Creates a 404 error. */
export function notFound(message: string): ApiError {
  return new ApiError(404, 'not_found', message);
}

/** Creates a 409 error: the request is valid but the resource's state does not allow it. */
export function conflict(message: string, cause?: unknown): ApiError {
  return new ApiError(409, 'conflict', message, undefined, { cause });
}

/** Creates a 503 error: a service that the API needs could not be reached. */
export function unavailable(message: string, cause?: unknown): ApiError {
  return new ApiError(503, 'unavailable', message, undefined, { cause });
}

/** Converts a ValidationError about one part of a request into a 400 error listing every issue. */
export function invalidRequest(part: RequestPart, error: ValidationError): ApiError {
  const issues = error.issues.map((issue: FieldIssue): ApiIssue => ({ part, ...issue }));
  return new ApiError(400, 'invalid_request', error.message, issues, { cause: error });
}

const FASTIFY_PARTS: Record<string, RequestPart> = { body: 'body', querystring: 'query', params: 'params' };

/** The largest request body accepted, in bytes (2 MiB). */
export const BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/** Clearer messages for fastify's own request errors, by fastify error code. */
const FASTIFY_MESSAGES: Record<string, () => string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => `request body is larger than the limit of ${BODY_LIMIT_BYTES} bytes; send fewer rows per request`,
  FST_ERR_CTP_INVALID_JSON_BODY: () => 'request body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: () => 'request body is empty but Content-Type is application/json; send a JSON object',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    'unsupported Content-Type: send application/json, or application/yaml for a project spec',
};

const CODE_BY_STATUS: Record<number, ErrorCode> = { 401: 'unauthorized', 404: 'not_found', 409: 'conflict' };

/**
 * Maps any error a route or fastify raises to an ApiError. Validation errors
 * and fastify's own 4xx errors (bad JSON, body too large, unsupported media
 * type) keep their status. Anything else becomes a 500 whose message hides
 * the details, because those go to the log.
 */
export function toApiError(error: unknown, requestId: string): ApiError {
  if (error instanceof ApiError) return error;
  const validationContext = (error as { validationContext?: string }).validationContext;
  if (error instanceof ValidationError) return invalidRequest(FASTIFY_PARTS[validationContext ?? 'body'] ?? 'body', error);

  const status = (error as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const fastifyError = error as FastifyError;
    const message = FASTIFY_MESSAGES[fastifyError.code]?.() ?? fastifyError.message;
    return new ApiError(status, CODE_BY_STATUS[status] ?? 'invalid_request', message, undefined, { cause: error });
  }
  return new ApiError(500, 'internal', `internal error; the server log has the details under request id ${requestId}`, undefined, {
    cause: error,
  });
}

/**
 * Installs the error and not-found handlers so that every failure responds
 * with an ErrorBody. Client errors are logged at info without the request
 * body or the rejected values, server errors at error with the stack.
 */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => sendError(toApiError(error, request.id), error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    const error = notFound(`no route matches ${request.method} ${request.url.split('?')[0]}`);
    return sendError(error, error, request, reply);
  });
}

function sendError(apiError: ApiError, original: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (apiError.statusCode >= 500) {
    request.log.error({ err: original, errorCode: apiError.errorCode }, 'request failed');
  } else if (apiError.issues) {
    // Issue messages quote rejected values, which may be prediction inputs, so only the paths are logged.
    const fields = apiError.issues.map((issue) => `${issue.part}.${issue.path}`);
    request.log.info({ statusCode: apiError.statusCode, errorCode: apiError.errorCode, fields }, 'request rejected');
  } else {
    request.log.info({ statusCode: apiError.statusCode, errorCode: apiError.errorCode, reason: apiError.message }, 'request rejected');
  }
  if (apiError.statusCode === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(apiError.statusCode).type('application/json; charset=utf-8').send(apiError.toBody());
}
