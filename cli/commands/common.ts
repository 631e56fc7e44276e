import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ApiClient } from '../client.js';

/** Output streams of a command: stdout for results, stderr for errors. */
export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** The client and settings that a command receives besides its arguments. */
export interface CommandContext {
  client: ApiClient;
  /** The folder that relative file arguments are resolved against. */
  cwd: string;
  /** Writes one line to stdout, adding the newline; control characters are escaped by sanitizeForTerminal. */
  print(line: string): void;
}

/** One `fullcycle` subcommand that talks to the API. */
export interface HttpCommand {
  name: string;
  /** The arguments after the command name, such as `<id> [--json]`. */
  usage: string;
  summary: string;
  run(args: string[], context: CommandContext): Promise<void>;
}

/** The command line is wrong: a missing or unknown argument, or a file that cannot be read. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The command failed after its arguments were accepted, such as when an output file cannot be written. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses options with util.parseArgs and checks the number of positional
 * arguments.
 *
 * @throws UsageError for an unknown option, a missing option value or a
 *   wrong number of positionals, naming `names` for the missing ones.
 */
export function parseCommandArgs<O extends Options>(args: string[], options: O, names: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { positionals } = parsed;
  if (positionals.length < names.length)
    throw new UsageError(`missing ${names.slice(positionals.length).join(' and ')}`);
  if (positionals.length > names.length)
    throw new UsageError(`unexpected argument "${positionals[names.length]}"`);
  return { values: parsed.values, positionals };
}

/**
 * Prints a value as indented JSON, for `--json`, one line per print. The
 * output stays valid JSON for the same value: JSON.stringify escapes C0
 * characters and line breaks inside strings, and the print's sanitizing
 * writes DEL and C1 characters as `\u` escapes.
 */
export function printJson(context: CommandContext, value: unknown): void {
  for (const line of JSON.stringify(value, null, 2).split('\n')) context.print(line);
}

const TERMINAL_CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

/**
 * Replaces control characters (C0 except tab, DEL and C1) with `\u001b`
 * style escapes, so that text from the API, such as a spec's owner, cannot
 * move the cursor, clear the screen or start an escape sequence in the
 * terminal. Line breaks are replaced too: print one line per call.
 */
export function sanitizeForTerminal(text: string): string {
  return text.replace(
    TERMINAL_CONTROLS,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Encodes a project id for a URL path. */
export function projectPath(id: string, suffix = ''): string {
  return `/v1/projects/${encodeURIComponent(id)}${suffix}`;
}
