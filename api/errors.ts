import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeIssue, ValidationError, type FieldIssue } from '../core/errors.js';
import { boundErrorBody } from './error-bounds.js';
import { fastifyErrorMessage } from './fastify-errors.js';

/** The stable error codes of the API, one per class of failure. */
export type ErrorCode =
  'invalid_request' | 'not_found' | 'conflict' | 'unauthorized' | 'unavailable' | 'internal';

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

  /**
   * Returns the response body; `issues` is present only when there are
   * some. The body is bounded by boundErrorBody, so it repeats at most a
   * short excerpt of each rejected value.
   */
  toBody(): ErrorBody {
    const body: ErrorBody = { error: this.errorCode, message: this.message };
    if (this.issues && this.issues.length > 0) body.issues = this.issues;
    return boundErrorBody(body);
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

/** Issues that the message of a 400 response describes; the rest are only in `issues`. */
const ISSUES_IN_MESSAGE = 5;

/** Converts a ValidationError about one part of a request into a 400 error listing every issue. */
export function invalidRequest(part: RequestPart, error: ValidationError): ApiError {
  const issues = error.issues.map((issue: FieldIssue): ApiIssue => ({ part, ...issue }));
  const described = error.issues.slice(0, ISSUES_IN_MESSAGE).map(describeIssue).join('; ');
  const omitted = error.issues.length - ISSUES_IN_MESSAGE;
  const more =
    omitted > 0 ? `; and ${omitted} more issue${omitted === 1 ? '' : 's'} listed in issues` : '';
  return new ApiError(
    400,
    'invalid_request',
    `${error.subject} is invalid: ${described}${more}`,
    issues,
    { cause: error },
  );
}

const FASTIFY_PARTS: Record<string, RequestPart> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
};

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  401: 'unauthorized',
  404: 'not_found',
  409: 'conflict',
};

/**
 * Maps any error a route or fastify raises to an ApiError. Validation errors
 * and errors with a 4xx status, such as fastify's own (bad JSON, body too
 * large, unsupported media type, malformed URL), keep their status. A
 * fastify error gets a message that names the problem and what to send
 * instead. Anything else becomes a 500 whose message hides the details,
 * because those go to the log. `request` gives the URL and headers that
 * some messages quote.
 */
export function toApiError(error: unknown, requestId: string, request?: FastifyRequest): ApiError {
  if (error instanceof ApiError) return error;
  const validationContext = (error as { validationContext?: string }).validationContext;
  if (error instanceof ValidationError)
    return invalidRequest(FASTIFY_PARTS[validationContext ?? 'body'] ?? 'body', error);

  const { statusCode, code } = error as Partial<FastifyError>;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const fromFastify = typeof code === 'string' && code.startsWith('FST_');
    const message = fromFastify
      ? fastifyErrorMessage(error as FastifyError, request)
      : (error as Error).message;
    return new ApiError(
      statusCode,
      CODE_BY_STATUS[statusCode] ?? 'invalid_request',
      message,
      undefined,
      { cause: error },
    );
  }
  return new ApiError(
    500,
    'internal',
    `internal error; the server log has the details under request id ${requestId}`,
    undefined,
    {
      cause: error,
    },
  );
}

/**
 * Installs the error and not-found handlers so that every failure responds
 * with an ErrorBody. Client errors are logged at info without the request
 * body or the rejected values, server errors at error with the stack.
 * Errors that fastify raises before routing go to handleFrameworkError,
 * which buildApp passes as fastify's frameworkErrors option.
 */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) =>
    sendError(toApiError(error, request.id, request), error, request, reply),
  );
  app.setNotFoundHandler((request, reply) => {
    const error = notFound(`no route matches ${request.method} ${request.url.split('?')[0]}`);
    return sendError(error, error, request, reply);
  });
}

/** Responds to an error that fastify raises while routing, such as a malformed URL, with an ErrorBody. */
export function handleFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  void sendError(toApiError(error, request.id, request), error, request, reply);
}

function sendError(
  apiError: ApiError,
  original: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const body = apiError.toBody();
  if (apiError.statusCode >= 500) {
    request.log.error({ err: original, errorCode: apiError.errorCode }, 'request failed');
  } else if (body.issues) {
    // Issue messages quote rejected values, which may be prediction inputs, so only the paths are logged.
    const fields = body.issues.map((issue) => `${issue.part}.${issue.path}`);
    request.log.info(
      { statusCode: apiError.statusCode, errorCode: apiError.errorCode, fields },
      'request rejected',
    );
  } else {
    request.log.info(
      { statusCode: apiError.statusCode, errorCode: apiError.errorCode, reason: body.message },
      'request rejected',
    );
  }
  if (apiError.statusCode === 401) reply.header('www-authenticate', 'Bearer');
  // A 503 is temporary, so Retry-After gives the seconds to wait before trying again.
  if (apiError.statusCode === 503) reply.header('retry-after', '60');
  return reply.code(apiError.statusCode).type('application/json; charset=utf-8').send(body);
}
