/**
 * Messages for the errors that fastify and Node's HTTP server raise before
 * a route runs: malformed URLs and bodies, size limits and media types.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { truncateText } from './error-bounds.js';

/** The largest request body accepted, in bytes (2 MiB). */
export const BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/** The longest path parameter that fastify routes, in characters (fastify's default). */
export const MAX_PARAM_LENGTH = 100;

/** Media types under which POST /v1/projects takes a YAML spec. */
export const YAML_MEDIA_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

/** Characters of a URL or header that a message quotes. */
const QUOTED_CHARS = 120;

type MessageBuilder = (request: FastifyRequest | undefined) => string;

const MESSAGES: Record<string, MessageBuilder> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    `request body is larger than the limit of 2 MiB (${BODY_LIMIT_BYTES} bytes); ` +
    'split prediction rows over several requests, or shorten the spec',
  FST_ERR_CTP_INVALID_JSON_BODY: () =>
    'request body is not valid JSON, or it contains a "__proto__" or "constructor" key, which the API rejects',
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    'request body is empty but Content-Type is application/json; send a JSON object',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (request) =>
    unsupportedMediaTypeMessage(request?.headers['content-type']),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    'request body size does not match the Content-Length header; send the header that matches the body, or none',
  FST_ERR_BAD_URL: (request) =>
    `request URL ${quote(request?.url)} is not valid: its percent-escapes must encode UTF-8 text; send "%" itself as "%25"`,
  FST_ERR_MAX_PARAM_LENGTH: (request) =>
    `request URL ${quote(request?.url)} has a path segment longer than ${MAX_PARAM_LENGTH} characters; ` +
    'project ids have at most 63 characters',
};

/**
 * Returns a message for a fastify error with a 4xx status that names what
 * was wrong with the request and what to send instead. Codes without a
 * message of their own keep fastify's message.
 */
export function fastifyErrorMessage(error: FastifyError, request?: FastifyRequest): string {
  const build = MESSAGES[error.code];
  return build ? build(request) : `request rejected: ${error.message}`;
}

/** Returns the 415 message for a body whose Content-Type no parser takes; `contentType` is the header, if any. */
export function unsupportedMediaTypeMessage(contentType: string | undefined): string {
  const problem = contentType
    ? `Content-Type ${quote(contentType)} is not supported`
    : 'the request body has no Content-Type';
  return `${problem}: send JSON as application/json; POST /v1/projects also takes YAML as ${YAML_MEDIA_TYPES.join(', ')}`;
}

function quote(text: string | undefined): string {
  return JSON.stringify(truncateText(text ?? '', QUOTED_CHARS));
}

/**
 * Responds with an ErrorBody to a request that Node's HTTP parser rejects
 * before fastify receives it, such as a malformed request line or oversized
 * headers, then closes the connection. Install as fastify's
 * clientErrorHandler.
 */
export function handleClientError(
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { statusCode, message } = clientErrorResponse(error.code);
  this.log.info(
    { statusCode, errorCode: 'invalid_request', code: error.code },
    'request rejected by the HTTP parser',
  );

  const body = JSON.stringify({ error: 'invalid_request', message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

function clientErrorResponse(code: string | undefined): { statusCode: number; message: string } {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      statusCode: 408,
      message: 'the request did not arrive completely before the server timed out; send it again',
    };
  }
  if (code === 'HPE_HEADER_OVERFLOW') {
    return {
      statusCode: 431,
      message: 'request headers are larger than the server accepts; send fewer or shorter headers',
    };
  }
  return {
    statusCode: 400,
    message: `request is not valid HTTP/1.1 (${code ?? 'unknown parser error'})`,
  };
}
