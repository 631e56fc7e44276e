/**
 * Size limits on what an error response repeats from the request, so that a
 * rejected 2 MiB body does not come back as a 2 MiB error.
 */
import type { ApiIssue, ErrorBody } from './errors.js';

/** Characters of a string value that an issue repeats before it is truncated. */
export const MAX_ECHO_CHARS = 200;
/** Characters of JSON up to which an array or object value is repeated whole. */
export const MAX_ECHO_JSON_CHARS = 1024;
/** Issues listed in one response; the rest are counted in a final issue. */
export const MAX_ISSUES = 50;
/** Characters of a message or an issue path. */
const MAX_MESSAGE_CHARS = 1000;

/**
 * Returns a copy of the body that repeats at most MAX_ISSUES issues, with
 * each issue's value passed through echoValue and long messages and paths
 * truncated. A final issue counts the issues left out.
 */
export function boundErrorBody(body: ErrorBody): ErrorBody {
  const bounded: ErrorBody = {
    error: body.error,
    message: truncateText(body.message, MAX_MESSAGE_CHARS),
  };
  if (!body.issues || body.issues.length === 0) return bounded;

  bounded.issues = body.issues.slice(0, MAX_ISSUES).map(boundIssue);
  const omitted = body.issues.length - MAX_ISSUES;
  if (omitted > 0) {
    const part = body.issues[MAX_ISSUES]!.part;
    bounded.issues.push({
      part,
      path: '',
      message: `and ${omitted} more issue${omitted === 1 ? '' : 's'} not listed`,
    });
  }
  return bounded;
}

function boundIssue(issue: ApiIssue): ApiIssue {
  const bounded: ApiIssue = {
    part: issue.part,
    path: truncateText(issue.path, MAX_ECHO_CHARS),
    message: truncateText(issue.message, MAX_MESSAGE_CHARS),
  };
  if ('value' in issue) bounded.value = echoValue(issue.value);
  return bounded;
}

/**
 * Returns a value as an error response may repeat it: a string longer than
 * MAX_ECHO_CHARS is cut and ends with its length, and an array or object
 * whose JSON is longer than MAX_ECHO_JSON_CHARS becomes a description such
 * as `array of 1001 items`. Other values are returned as they are.
 */
export function echoValue(value: unknown): unknown {
  if (typeof value === 'string') return truncateText(value, MAX_ECHO_CHARS);
  if (value === null || typeof value !== 'object') return value;
  const json = jsonLength(value);
  if (json !== null && json <= MAX_ECHO_JSON_CHARS) return value;
  if (Array.isArray(value)) return `array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  const keys = Object.keys(value).length;
  return `object with ${keys} key${keys === 1 ? '' : 's'}`;
}

/** Returns the length of the value's JSON, or null when it cannot be serialized, such as when nested too deeply. */
function jsonLength(value: object): number | null {
  try {
    return JSON.stringify(value)?.length ?? null;
  } catch {
    return null;
  }
}

/**
 * Cuts text to `max` characters plus an ellipsis and the original length,
 * such as `abc… (1900000 characters)`; shorter text is returned as it is.
 * The cut never splits a surrogate pair.
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end =
    isLowSurrogate(text.charCodeAt(max)) && isHighSurrogate(text.charCodeAt(max - 1))
      ? max - 1
      : max;
  return `${text.slice(0, end)}… (${text.length} characters)`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
