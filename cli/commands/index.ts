import type { ApiIssue } from '../../api/errors.js';
import { truncateText } from '../../api/error-bounds.js';
import { ValidationError } from '../../core/errors.js';
import {
  ApiClient,
  ApiConfigError,
  ApiRequestError,
  ApiResponseError,
  ApiUnreachableError,
  DEFAULT_API_URL,
} from '../client.js';
import type { CommandIo, HttpCommand } from './common.js';
import { CommandError, sanitizeForTerminal, UsageError } from './common.js';
import { approveCommand, rejectCommand } from './decisions.js';
import { listCommand, statusCommand, submitCommand } from './projects.js';
import { monitorCommand, predictCommand, reportCommand } from './serving.js';

export type { CommandIo } from './common.js';

const COMMANDS: HttpCommand[] = [
  submitCommand,
  listCommand,
  statusCommand,
  approveCommand,
  rejectCommand,
  predictCommand,
  monitorCommand,
  reportCommand,
];

/** Options for tests and embedding; the defaults read the process environment and folder. */
export interface HttpCommandOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  client?: ApiClient;
}

/**
 * Runs an HTTP subcommand of `fullcycle` (`argv` starts with the command
 * name). Returns null when `argv[0]` is not one, so the caller can try its
 * own commands. Otherwise returns the exit code: 0 on success; 1 when the
 * API rejects the request, cannot be reached, a spec file is invalid or the
 * command fails otherwise; 2 for a usage error or an invalid FULLCYCLE_*
 * setting. Every failure prints `error: ...` lines to stderr, never a stack
 * trace.
 */
export async function runHttpCommand(
  argv: string[],
  io: CommandIo,
  options: HttpCommandOptions = {},
): Promise<number | null> {
  const [name, ...args] = argv;
  if (name === 'help') {
    io.stdout.write(httpCommandsHelp());
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) return null;
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`usage: fullcycle ${command.name} ${command.usage}\n${command.summary}.\n`);
    return 0;
  }

  try {
    const client = options.client ?? ApiClient.fromEnv(options.env ?? process.env);
    const print = (line: string) => void io.stdout.write(`${sanitizeForTerminal(line)}\n`);
    await command.run(args, { client, cwd: options.cwd ?? process.cwd(), print });
    return 0;
  } catch (error) {
    return reportFailure(
      error,
      command,
      (line) => void io.stderr.write(`${sanitizeForTerminal(line)}\n`),
    );
  }
}

/** Prints what failed and returns the exit code. */
function reportFailure(
  error: unknown,
  command: HttpCommand,
  write: (line: string) => void,
): number {
  if (error instanceof UsageError) {
    write(`error: ${error.message}`);
    write(`usage: fullcycle ${command.name} ${command.usage}`);
    return 2;
  }
  if (error instanceof ApiConfigError) {
    write(`error: ${error.message}`);
    return 2;
  }
  if (error instanceof ApiRequestError) {
    reportRejection(error, write);
    return 1;
  }
  const known = [ValidationError, ApiUnreachableError, ApiResponseError, CommandError].some(
    (type) => error instanceof type,
  );
  write(
    known
      ? `error: ${(error as Error).message}`
      : `error: ${command.name} failed: ${unexpectedReason(error)}`,
  );
  return 1;
}

function reportRejection(error: ApiRequestError, write: (line: string) => void): void {
  // The message repeats the first issues; with issues, a count and the list read better.
  const count = error.issues.length;
  if (count === 0) return write(`error: ${error.message}`);
  write(
    `error: the API rejected the request (HTTP ${error.status}, ${count} issue${count === 1 ? '' : 's'}):`,
  );
  for (const issue of error.issues) write(`  ${formatIssue(issue)}`);
}

/** Formats an issue as `part path: message (got value)`; the value is left out when the API sent none. */
function formatIssue(issue: ApiIssue): string {
  const got =
    'value' in issue
      ? ` (got ${truncateText(JSON.stringify(issue.value) ?? String(issue.value), 80)})`
      : '';
  return `${issue.part} ${issue.path === '' ? '(root)' : issue.path}: ${issue.message}${got}`;
}

function unexpectedReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}

/** The process commands' column width in cli/main.ts's usage, so the sections line up. */
const NAME_COLUMN = 19;

/**
 * The HTTP commands' section of `fullcycle` help: a heading and, per
 * command, its usage and then its summary, indented to line up with the
 * process commands' descriptions. It ends with a newline, so it can be
 * appended to another section.
 */
export const HTTP_COMMANDS_HELP = [
  'HTTP commands (call the API at FULLCYCLE_API_URL):',
  ...COMMANDS.flatMap((command) => [
    `  ${command.name} ${command.usage}`,
    `${' '.repeat(NAME_COLUMN)}${command.summary}`,
  ]),
  '',
].join('\n');

/** The settings and exit codes of the HTTP commands, for the end of `fullcycle` help; ends with a newline. */
export const HTTP_SETTINGS_HELP = [
  'Settings of the HTTP commands:',
  `  FULLCYCLE_API_URL    the API address (default ${DEFAULT_API_URL})`,
  '  FULLCYCLE_API_TOKEN  bearer token, when the API requires one',
  '  FULLCYCLE_USER       the acting user, recorded with submissions and decisions (default: the login name)',
  'Exit codes of the HTTP commands: 0 success; 1 the API rejected the request, could not be reached,',
  'or the command failed; 2 usage error or invalid setting.',
  '',
].join('\n');

/** Returns the help text of the HTTP commands for `fullcycle help`: HTTP_COMMANDS_HELP, a blank line, HTTP_SETTINGS_HELP. */
export function httpCommandsHelp(): string {
  return `${HTTP_COMMANDS_HELP}\n${HTTP_SETTINGS_HELP}`;
}
