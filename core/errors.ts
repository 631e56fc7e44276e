import type { z } from 'zod';

/** One rejected field: where it is, the value found and the rule it broke. */
export interface FieldIssue {
  /** Dotted path inside the input, such as `data.split.train`; empty for the input as a whole. */
  path: string;
  /** The rejected value, or undefined when the field is missing. */
  value?: unknown;
  /** Description of what is allowed. */
  message: string;
}

/**
 * Input that breaks a rule; carries every issue found, not just the first.
 * The code is stable so that callers and workflows can match on it.
 */
export class ValidationError extends Error {
  readonly code = 'INVALID_INPUT';

  constructor(
    readonly subject: string,
    readonly issues: FieldIssue[],
  ) {
    super(`${subject} is invalid: ${issues.map(describeIssue).join('; ')}`);
    this.name = 'ValidationError';
  }
}

/** Formats one issue as `path: message (got value)`. */
export function describeIssue(issue: FieldIssue): string {
  const where = issue.path === '' ? '(root)' : issue.path;
  const got = 'value' in issue ? ` (got ${preview(issue.value)})` : ' (missing)';
  return `${where}: ${issue.message}${got}`;
}

/** Maps zod issues to field issues, reading each rejected value from the input. */
export function issuesFromZod(error: z.ZodError, input: unknown): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const found = valueAt(input, issue.path);
    return found.present
      ? { path, value: found.value, message: issue.message }
      : { path, message: issue.message };
  });
}

/** Parses input with a zod schema, throwing a ValidationError that lists every issue. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, subject: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(subject, issuesFromZod(result.error, input));
  return result.data;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): { present: boolean; value?: unknown } {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !(key in current)) return { present: false };
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return { present: current !== undefined, value: current };
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
