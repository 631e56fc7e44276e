import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import { DOCS_PREFIX } from './openapi.js';

/** Paths served without a token, so that health probes and readers of the docs need none. */
function isPublicPath(path: string): boolean {
  return path === '/healthz' || path === DOCS_PREFIX || path.startsWith(`${DOCS_PREFIX}/`);
}

/**
 * Requires `Authorization: Bearer <token>` on every request except /healthz
 * and the docs when `token` is set; does nothing when it is undefined. The
 * comparison takes the same time whatever the mismatch, and the token is
 * never logged.
 *
 * @throws ApiError 401 (from the hook) when the header is missing, uses
 *   another scheme, or carries a wrong token.
 */
export function registerBearerAuth(app: FastifyInstance, token: string | undefined): void {
  if (token === undefined) return;
  const expected = digest(token);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (isPublicPath(request.url.split('?')[0]!)) return;
    const header = request.headers.authorization;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    // Hashing first gives both sides the same length, which timingSafeEqual requires.
    if (match && timingSafeEqual(digest(match[1]!), expected)) return;
    throw new ApiError(
      401,
      'unauthorized',
      match ? 'the bearer token is not valid' : authorizationProblem(header),
    );
  });
}

/** Describes what is wrong with an Authorization header that is not `Bearer <token>`, without repeating its credentials. */
function authorizationProblem(header: string | undefined): string {
  const expected = 'send "Authorization: Bearer <token>"';
  if (header === undefined || header.trim() === '')
    return `missing Authorization header: ${expected}`;
  if (!/^Bearer(\s|$)/i.test(header.trim()))
    return `the Authorization header must use the Bearer scheme: ${expected}`;
  return `the Authorization header has no single bearer token: ${expected}`;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The header that names the person behind a request; the CLI sets it. */
export const USER_HEADER = 'x-fullcycle-user';

/** Returns the trimmed user name from the x-fullcycle-user header, or undefined when it is absent or blank. */
export function requestUser(request: FastifyRequest): string | undefined {
  const value = request.headers[USER_HEADER];
  const name = (Array.isArray(value) ? value[0] : value)?.trim().slice(0, 200);
  return name ? name : undefined;
}
