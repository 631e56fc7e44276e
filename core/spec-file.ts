import path from 'node:path';
import { parseDocument } from 'yaml';
import { ValidationError, type FieldIssue } from './errors.js';

/** The text formats a project spec may be written in. */
export type SpecFormat = 'yaml' | 'json';

/** The spec fields that hold file paths, as property paths. */
export const SPEC_PATH_FIELDS = [
  ['data', 'source', 'path'],
  ['data', 'format', 'columnsFile'],
] as const;

/** Picks JSON for a `.json` file name or a JSON media type, and YAML otherwise. */
export function specFormatOf(fileNameOrMediaType: string): SpecFormat {
  const value = fileNameOrMediaType.toLowerCase();
  return value.endsWith('.json') || value.includes('json') ? 'json' : 'yaml';
}

/**
 * Parses spec text into a plain value; the result is not yet validated
 * against ProjectSpecSchema. `source` names the input in messages, such as
 * a file name.
 *
 * @throws ValidationError with one issue at the root that names the line and
 *   column of a syntax error, or reports that the text is empty.
 */
export function parseSpecText(text: string, format: SpecFormat, source = 'project spec'): unknown {
  if (text.trim() === '') {
    throw new ValidationError(source, [{ path: '', message: 'is empty: expected a YAML or JSON object' }]);
  }
  return format === 'json' ? parseJson(text, source) : parseYaml(text, source);
}

function parseYaml(text: string, source: string): unknown {
  const document = parseDocument(text, { uniqueKeys: true });
  const error = yamlErrorText(document);
  if (error) throw syntaxError(source, `invalid YAML${error}`);
  return document.toJS({ maxAliasCount: 100 });
}

/** Returns ` at line L, column C: reason` for the document's first error, or null. */
function yamlErrorText(document: ReturnType<typeof parseDocument>): string | null {
  const error = document.errors[0];
  if (!error) return null;
  const position = error.linePos?.[0];
  // prettyErrors appends the position and a source excerpt to the message.
  const reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return position ? ` at line ${position.line}, column ${position.col}: ${reason}` : `: ${reason}`;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message;
    const offset = /at position (\d+)/.exec(reason);
    if (offset) throw syntaxError(source, `invalid JSON at ${lineAndColumn(text, Number(offset[1]))}: ${reason}`);
    // Some JSON.parse messages give no position, but JSON is YAML 1.2, so the YAML parser may place the error.
    const located = yamlErrorText(parseDocument(text, { uniqueKeys: true }));
    throw syntaxError(source, `invalid JSON${located ?? `: ${reason}`}`);
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

function syntaxError(source: string, message: string): ValidationError {
  return new ValidationError(source, [{ path: '', message }]);
}

/**
 * Resolves the relative paths of SPEC_PATH_FIELDS against `baseDir` and
 * returns a copy of the spec; the input is left unchanged. Absolute paths,
 * missing fields and values that are not strings stay as they are, so this
 * also works on unvalidated input.
 */
export function resolveSpecPaths<T>(spec: T, baseDir: string): T {
  const copy = structuredClone(spec);
  for (const field of SPEC_PATH_FIELDS) {
    const parent = objectAt(copy, field.slice(0, -1));
    const key = field.at(-1)!;
    const value = parent?.[key];
    if (parent && typeof value === 'string' && value !== '') parent[key] = path.resolve(baseDir, value);
  }
  return copy;
}

/**
 * Checks that every path of SPEC_PATH_FIELDS that the spec sets lies inside
 * one of `roots`. Paths are compared after `path.resolve`, so `..` cannot
 * leave a root, but symbolic links are not followed. The code that opens the
 * file must check its real path again, as the workflow's activities do.
 *
 * @returns one issue per path outside every root, naming the field, the
 *   value and the allowed roots; empty when all paths are allowed.
 */
export function findPathsOutsideRoots(spec: unknown, roots: readonly string[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const field of SPEC_PATH_FIELDS) {
    const value = objectAt(spec, field.slice(0, -1))?.[field.at(-1)!];
    if (typeof value !== 'string' || roots.some((root) => isInside(value, root))) continue;
    issues.push({
      path: field.join('.'),
      value,
      message: `must be a file inside one of the allowed data roots (${roots.join(', ')}); move the file there or add its folder to FULLCYCLE_DATA_ROOTS`,
    });
  }
  return issues;
}

function isInside(file: string, root: string): boolean {
  const relative = path.relative(path.resolve(root), path.resolve(file));
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

function objectAt(value: unknown, keys: readonly string[]): Record<string, unknown> | null {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return null;
    current = (current as Record<string, unknown>)[key];
  }
  if (current === null || typeof current !== 'object' || Array.isArray(current)) return null;
  return current as Record<string, unknown>;
}
