import { describeIssue, ValidationError } from '../../core/errors.js';
import { ApiClient, ApiRequestError, ApiUnreachableError } from '../client.js';
import type { CommandIo, HttpCommand } from './common.js';
import { UsageError } from './common.js';
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
 * own commands. Otherwise returns the exit code: 0 on success, 1 when the
 * API rejects the request, cannot be reached or a spec file is invalid,
 * and 2 for a usage error.
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

  const client = options.client ?? ApiClient.fromEnv(options.env ?? process.env);
  const context = {
    client,
    cwd: options.cwd ?? process.cwd(),
    print: (line: string) => void io.stdout.write(`${line}\n`),
  };
  try {
    await command.run(args, context);
    return 0;
  } catch (error) {
    return reportFailure(error, command, io);
  }
}

function reportFailure(error: unknown, command: HttpCommand, io: CommandIo): number {
  const write = (line: string) => void io.stderr.write(`${line}\n`);
  if (error instanceof UsageError) {
    write(`error: ${error.message}`);
    write(`usage: fullcycle ${command.name} ${command.usage}`);
    return 2;
  }
  if (error instanceof ApiRequestError) {
    // The message repeats every issue; with issues, a count and the list read better.
    const count = error.issues.length;
    write(
      count === 0
        ? `error: ${error.message}`
        : `error: the API rejected the request (HTTP ${error.status}, ${count} issue${count === 1 ? '' : 's'}):`,
    );
    for (const issue of error.issues) write(`  ${issue.part} ${describeIssue(issue)}`);
    return 1;
  }
  if (error instanceof ValidationError) {
    write(`error: ${error.message}`);
    return 1;
  }
  if (error instanceof ApiUnreachableError) {
    write(`error: ${error.message}`);
    return 1;
  }
  throw error;
}

/** Returns the help text of the HTTP commands, one line each, for `fullcycle help`. */
export function httpCommandsHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => `${command.name} ${command.usage}`.length));
  const lines = COMMANDS.map(
    (command) => `  ${`${command.name} ${command.usage}`.padEnd(width)}  ${command.summary}`,
  );
  return [
    'Commands that call the Fullcycle API:',
    ...lines,
    '',
    'Environment: FULLCYCLE_API_URL (default http://127.0.0.1:8080), FULLCYCLE_API_TOKEN (bearer token),',
    'FULLCYCLE_USER (sent as the acting user; default: the login name).',
    'Exit codes: 0 success, 1 the API rejected the request or could not be reached, 2 usage error.',
    '',
  ].join('\n');
}
