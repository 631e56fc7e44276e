import path from 'node:path';
import { Lexer, parseDocument, visit, type Document } from 'yaml';
import { ValidationError, type FieldIssue } from './errors.js';

/** The text formats a project spec may be written in. */
export type SpecFormat = 'yaml' | 'json';

/** The spec fields that hold file paths, as property paths. */
export const SPEC_PATH_FIELDS = [
  ['data', 'source', 'path'],
  ['data', 'format', 'columnsFile'],
] as const;

/**
 * The maximum alias resolutions in a YAML spec, as yaml's maxAliasCount
 * counts them (each alias once per node it copies). A spec needs few, and an
 * alias bomb needs many.
 */
export const MAX_YAML_ALIAS_COUNT = 100;

/**
 * The deepest nesting of collections accepted in spec text; a project spec
 * needs about 6. The yaml composer recurses once per level, and deep
 * recursion can exhaust the stack or crash the process, so deeper text is
 * rejected before parsing.
 */
export const MAX_SPEC_NESTING = 64;

/** Characters of the offending line quoted as an issue's value. */
const EXCERPT_CHARS = 60;

/** A 1-based position in spec text. */
type TextPosition = { line: number; col: number };
const TEXT_START: TextPosition = { line: 1, col: 1 };

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
 * @throws ValidationError with one issue at the root when the text is empty
 *   or cannot be parsed: a syntax error (naming its line and column), YAML
 *   aliases that expand beyond MAX_YAML_ALIAS_COUNT, or collections nested
 *   deeper than MAX_SPEC_NESTING. The issue's value is an excerpt of the
 *   offending line.
 */
export function parseSpecText(text: string, format: SpecFormat, source = 'project spec'): unknown {
  if (text.trim() === '') {
    throw new ValidationError(source, [{ path: '', value: text, message: 'is empty: expected a YAML or JSON object' }]);
  }
  return format === 'json' ? parseJson(text, source) : parseYaml(text, source);
}

function parseYaml(text: string, source: string): unknown {
  const tooDeep = yamlNestingOverflow(text);
  if (tooDeep !== null) throw nestingError(source, text, tooDeep);
  let document: Document.Parsed;
  try {
    document = parseDocument(text, { uniqueKeys: true });
  } catch (error) {
    throw syntaxError(source, text, `invalid YAML: ${(error as Error).message}`);
  }
  const error = yamlError(document);
  if (error) throw syntaxError(source, text, `invalid YAML at ${where(error)}: ${error.reason}`, error);
  try {
    return document.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (cause) {
    throw conversionError(source, text, document, cause);
  }
}

/** Returns the position and reason of the document's first error, or null. */
function yamlError(document: Document.Parsed): (TextPosition & { reason: string }) | null {
  const error = document.errors[0];
  if (!error) return null;
  const position = error.linePos?.[0] ?? TEXT_START;
  // prettyErrors appends the position and a source excerpt to the message.
  const reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return { ...position, reason };
}

/**
 * Maps an error from converting a parsed YAML document to plain values, such
 * as an alias bomb. The value quotes the line of the first alias, because
 * the error does not name the alias that failed.
 */
function conversionError(source: string, text: string, document: Document.Parsed, cause: unknown): ValidationError {
  const alias = firstAliasPosition(text, document) ?? TEXT_START;
  const reason = (cause as Error).message;
  if (!/excessive alias count/i.test(reason)) return syntaxError(source, text, `invalid YAML: ${reason}`, alias);
  const message =
    `invalid YAML: its aliases (*name) expand to more than ${MAX_YAML_ALIAS_COUNT} copies of anchored nodes, ` +
    'which looks like an alias bomb; write the values out instead of aliasing them';
  return syntaxError(source, text, message, alias);
}

function firstAliasPosition(text: string, document: Document.Parsed): TextPosition | null {
  let offset: number | undefined;
  visit(document, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset === undefined ? null : positionOf(text, offset);
}

function parseJson(text: string, source: string): unknown {
  const tooDeep = jsonNestingOverflow(text);
  if (tooDeep !== null) throw nestingError(source, text, tooDeep);
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message;
    const offset = /at position (\d+)/.exec(reason);
    if (offset) {
      const position = positionOf(text, Number(offset[1]));
      throw syntaxError(source, text, `invalid JSON at ${where(position)}: ${reason}`, position);
    }
    // Some JSON.parse messages give no position, but JSON is YAML 1.2, so the YAML parser may place the error.
    const located = locateWithYaml(text);
    const message = located ? `invalid JSON at ${where(located)}: ${located.reason}` : `invalid JSON: ${reason}`;
    throw syntaxError(source, text, message, located ?? TEXT_START);
  }
}

function locateWithYaml(text: string): (TextPosition & { reason: string }) | null {
  if (yamlNestingOverflow(text) !== null) return null;
  try {
    return yamlError(parseDocument(text, { uniqueKeys: true }));
  } catch {
    return null;
  }
}

function nestingError(source: string, text: string, offset: number): ValidationError {
  const position = positionOf(text, offset);
  const message = `nested more than ${MAX_SPEC_NESTING} levels deep at ${where(position)}; a project spec needs only a few levels`;
  return syntaxError(source, text, message, position);
}

/** Returns the offset where JSON text first nests deeper than MAX_SPEC_NESTING, or null. */
function jsonNestingOverflow(text: string): number | null {
  let depth = 0;
  let inString = false;
  for (let offset = 0; offset < text.length; offset++) {
    const char = text[offset];
    if (inString) {
      if (char === '\\') offset += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '[' || char === '{') {
      depth += 1;
      if (depth > MAX_SPEC_NESTING) return offset;
    } else if (char === ']' || char === '}') depth = Math.max(0, depth - 1);
  }
  return null;
}

/** Tokens that the yaml lexer emits without consuming source text. */
const SYNTHETIC_TOKENS = new Set(['\x02', '\x18', '\x1f']);

/**
 * Returns the offset where YAML text may first nest deeper than
 * MAX_SPEC_NESTING, or null. The yaml lexer does not recurse. Its tokens
 * give an upper bound of the depth: the open flow brackets, plus the
 * indentation levels of block collections, plus the `-`, `?` and `:`
 * indicators on the current line, because those nest without indentation
 * (`- - - x`).
 */
function yamlNestingOverflow(text: string): number | null {
  const scan = new YamlDepthScan();
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    const start = offset;
    if (!SYNTHETIC_TOKENS.has(token)) offset += token.length;
    if (scan.take(token) > MAX_SPEC_NESTING) return start;
  }
  return null;
}

/** The nesting state of the YAML tokens seen so far. */
class YamlDepthScan {
  private flowDepth = 0;
  private lineIndicators = 0;
  /** Indentation widths of the enclosing block lines, increasing. */
  private readonly indents: number[] = [];
  /** The indentation of the current line until its first content token, then null. */
  private pendingIndent: number | null = 0;

  /** Takes the next token and returns the depth bound after it. */
  take(token: string): number {
    if (SYNTHETIC_TOKENS.has(token) || token.startsWith('#')) return this.depth();
    if (token === '\n' || token === '\r\n') {
      if (this.flowDepth === 0) [this.pendingIndent, this.lineIndicators] = [0, 0];
    } else if (/^[ \t]+$/.test(token)) {
      if (this.pendingIndent !== null) this.pendingIndent = token.length;
    } else {
      this.enterLine();
      this.count(token);
    }
    return this.depth();
  }

  private enterLine(): void {
    if (this.pendingIndent === null) return;
    const indent = this.pendingIndent;
    this.pendingIndent = null;
    while (this.indents.length > 0 && this.indents.at(-1)! > indent) this.indents.pop();
    if (this.indents.length === 0 || this.indents.at(-1)! < indent) this.indents.push(indent);
  }

  private count(token: string): void {
    if (token === '[' || token === '{') this.flowDepth += 1;
    else if ((token === ']' || token === '}') && this.flowDepth > 0) this.flowDepth -= 1;
    else if (this.flowDepth === 0 && (token === '-' || token === '?' || token === ':')) this.lineIndicators += 1;
  }

  private depth(): number {
    return this.flowDepth + this.indents.length + this.lineIndicators;
  }
}

function positionOf(text: string, offset: number): TextPosition {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

function where(position: TextPosition): string {
  return `line ${position.line}, column ${position.col}`;
}

/**
 * Returns up to EXCERPT_CHARS characters of the line at `position`, around
 * its column. A blank line gives the nearest non-blank line above it,
 * because an error at the end of the text usually starts there, such as an
 * unclosed bracket or quote.
 */
function excerptAt(text: string, position: TextPosition): string {
  const lines = text.split('\n');
  let index = Math.min(position.line, lines.length) - 1;
  let col = position.col;
  while (index > 0 && lines[index]!.trim() === '') {
    index -= 1;
    col = 1;
  }
  const line = lines[index]!.replace(/\r$/, '');
  const start = wholeCharacterOffset(line, Math.max(0, Math.min(col - 1 - EXCERPT_CHARS / 2, line.length - EXCERPT_CHARS)));
  const end = wholeCharacterOffset(line, start + EXCERPT_CHARS);
  return `${start > 0 ? '…' : ''}${line.slice(start, end)}${end < line.length ? '…' : ''}`;
}

/** Moves an offset that falls between the two halves of a surrogate pair back to the pair's start. */
function wholeCharacterOffset(text: string, offset: number): number {
  const code = text.charCodeAt(offset);
  const previous = text.charCodeAt(offset - 1);
  const splitsPair = code >= 0xdc00 && code <= 0xdfff && previous >= 0xd800 && previous <= 0xdbff;
  return splitsPair ? offset - 1 : offset;
}

/** Builds the ValidationError of unparsable text, quoting the text at `position` as the value. */
function syntaxError(source: string, text: string, message: string, position = TEXT_START): ValidationError {
  return new ValidationError(source, [{ path: '', value: excerptAt(text, position), message }]);
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
