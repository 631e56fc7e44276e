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
  /** Writes one line (a newline is added) to stdout. */
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
  if (positionals.length < names.length) throw new UsageError(`missing ${names.slice(positionals.length).join(' and ')}`);
  if (positionals.length > names.length) throw new UsageError(`unexpected argument "${positionals[names.length]}"`);
  return { values: parsed.values, positionals };
}

/** Prints a value as indented JSON, for `--json`. */
export function printJson(context: CommandContext, value: unknown): void {
  context.print(JSON.stringify(value, null, 2));
}

/** Encodes a project id for a URL path. */
export function projectPath(id: string, suffix = ''): string {
  return `/v1/projects/${encodeURIComponent(id)}${suffix}`;
}
