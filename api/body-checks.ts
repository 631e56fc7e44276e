/**
 * Checks that every parsed request body passes before its route's schema:
 * text that Postgres cannot store, and nesting deeper than any route needs.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError, type ApiIssue } from './errors.js';

/**
 * The deepest nesting of arrays and objects in a request body; a project
 * spec needs about 6. Deeper bodies are rejected because code that recurses
 * over values (JSON.stringify, structuredClone) could exhaust the stack.
 */
export const MAX_BODY_DEPTH = 64;

/** Characters of a rejected string shown around its first offending character. */
const PREVIEW_CHARS = 40;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNPRINTABLE =
  /[\u0000-\u001f\u007f-\u009f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text rules: Postgres text and jsonb reject NUL, and jsonb rejects unpaired surrogates as invalid JSON. */
const TEXT_RULES = [
  {
    pattern: /\u0000/,
    rule: 'must not contain NUL characters (U+0000), which the database cannot store',
  },
  {
    pattern: LONE_SURROGATE,
    rule: 'must not contain unpaired UTF-16 surrogates; send valid Unicode text',
  },
];

interface PendingValue {
  value: unknown;
  path: string[];
  depth: number;
}

/**
 * Returns one issue per string or field name in the body that contains a
 * NUL character or an unpaired UTF-16 surrogate, and one per array or
 * object nested deeper than MAX_BODY_DEPTH, in document order. An issue's
 * value is a short preview with such characters written as `\uXXXX`. The
 * walk keeps its own stack, so any depth is safe.
 */
export function findBodyIssues(body: unknown): ApiIssue[] {
  const issues: ApiIssue[] = [];
  const pending: PendingValue[] = [{ value: body, path: [], depth: 0 }];
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'string') issues.push(...textIssues(value, path, 'value'));
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) {
      const message = `is nested more than ${MAX_BODY_DEPTH} levels deep; no request needs that many`;
      issues.push({ part: 'body', path: displayPath(path), message });
      continue;
    }
    for (const [key, child] of Object.entries(value).reverse()) {
      issues.push(...textIssues(key, [...path, key], 'key'));
      pending.push({ value: child, path: [...path, key], depth: depth + 1 });
    }
  }
  return issues;
}

function textIssues(text: string, path: string[], kind: 'key' | 'value'): ApiIssue[] {
  return TEXT_RULES.filter(({ pattern }) => pattern.test(text)).map(
    ({ pattern, rule }): ApiIssue => {
      const issue: ApiIssue = {
        part: 'body',
        path: displayPath(path),
        message: kind === 'key' ? `field name ${rule}` : rule,
      };
      if (kind === 'value') issue.value = preview(text, text.search(pattern));
      return issue;
    },
  );
}

/** Returns up to PREVIEW_CHARS characters around `index`, with control characters and lone surrogates escaped. */
function preview(text: string, index: number): string {
  const start = Math.max(0, index - PREVIEW_CHARS / 2);
  const end = Math.min(text.length, start + PREVIEW_CHARS);
  return `${start > 0 ? '…' : ''}${escapeUnprintable(text.slice(start, end))}${end < text.length ? '…' : ''}`;
}

function displayPath(path: string[]): string {
  return path.map(escapeUnprintable).join('.');
}

function escapeUnprintable(text: string): string {
  return text.replace(
    UNPRINTABLE,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Rejects, with a 400 listing every issue, a parsed JSON or YAML body that
 * findBodyIssues objects to. Runs as a preValidation hook, so after the
 * body parsers and before any route's schema or handler.
 */
export function registerBodyChecks(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined || request.body === null) return;
    const issues = findBodyIssues(request.body);
    if (issues.length === 0) return;
    const first = issues[0]!;
    const more = issues.length > 1 ? `; and ${issues.length - 1} more listed in issues` : '';
    const message = `request body is invalid: ${first.path || '(root)'}: ${first.message}${more}`;
    throw new ApiError(400, 'invalid_request', message, issues);
  });
}
