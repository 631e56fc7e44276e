/**
 * The `fullcycle` command. Process commands (dev, demo, api, worker) run
 * parts of Fullcycle in this process; every other command is an HTTP call
 * to a running API.
 */
import { describeConfig, loadConfig, type AppConfig } from '../core/config.js';
import { ValidationError } from '../core/errors.js';
import { createLogger, installTemporalRuntime } from '../infra/logger.js';
import { startStack, type RunningStack } from '../infra/stack.js';
import { HTTP_COMMANDS_HELP, HTTP_SETTINGS_HELP, runHttpCommand } from './commands/index.js';
import { runDemo } from './demo.js';

const USAGE = `Usage: fullcycle <command> [options]

Process commands:
  dev              Run everything on this machine: Temporal dev server with Web UI,
                   workers and the API (Postgres when DATABASE_URL is set, else PGlite)
  demo [--json]    Run the credit-scoring example through every stage and print a summary
  api              Run the API only (needs TEMPORAL_ADDRESS)
  worker           Run workers only, for the queues in FULLCYCLE_WORKER_QUEUES
  help             Show this text

${HTTP_COMMANDS_HELP}
${HTTP_SETTINGS_HELP}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (!['dev', 'demo', 'api', 'worker'].includes(command)) {
    const code = await runHttpCommand(argv, { stdout: process.stdout, stderr: process.stderr });
    if (code !== null) return code;
    process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }

  const config = loadConfig(process.env, process.cwd());
  const logger = createLogger(config.logLevel);
  installTemporalRuntime(logger, config.logLevel);
  logger.info({ config: describeConfig(config) }, 'Configuration loaded');

  if (command === 'demo') return await runDemo(config, logger, { json: rest.includes('--json') });
  if (command === 'dev')
    return await serveUntilSignal(
      config,
      logger,
      { api: true, workers: config.workerQueues },
      printAddresses,
    );
  if (command === 'api') return await serveUntilSignal(config, logger, { api: true, workers: [] });
  return await serveUntilSignal(config, logger, { api: false, workers: config.workerQueues });
}

/** Runs the stack in the foreground until SIGINT or SIGTERM, then stops it cleanly; a second signal exits at once. */
async function serveUntilSignal(
  config: AppConfig,
  logger: ReturnType<typeof createLogger>,
  parts: { api: boolean; workers: AppConfig['workerQueues'] },
  announce?: (stack: RunningStack) => void,
): Promise<number> {
  const stack = await startStack({ config, logger, ...parts });
  announce?.(stack);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const firstAt = Date.now();
  process.on(signal, () => {
    // A terminal's Ctrl-C can reach this process twice (directly and through a
    // wrapper such as npm), so only a signal a second or more later forces the exit.
    if (Date.now() - firstAt < 1_000) return;
    logger.warn({ signal }, 'Exiting without a clean stop');
    process.exit(130);
  });
  logger.info({ signal }, 'Stopping; send the signal again to exit at once');
  await stack.stop();
  logger.info('Stopped');
  return 0;
}

function printAddresses(stack: RunningStack): void {
  const { config } = stack;
  const storage =
    stack.db.kind === 'pglite' ? `PGlite in ${config.dataDir}/pglite` : 'Postgres (DATABASE_URL)';
  process.stdout.write(
    [
      'Fullcycle is running. Press Ctrl-C to stop.',
      `  API           ${stack.apiUrl}   (OpenAPI: ${stack.apiUrl}/docs)`,
      `  Temporal      ${stack.temporal.address}`,
      `  Temporal UI   ${stack.temporal.uiUrl ?? '(external server)'}`,
      `  Workers       ${config.workerQueues.join(', ')}`,
      `  Registry      ${storage}`,
      `  Artifacts     ${config.dataDir}/artifacts`,
      '',
    ].join('\n'),
  );
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Operators get the message, which names the fix. The stack trace is printed only with debug logging.
    const debug = process.env['FULLCYCLE_LOG_LEVEL'] === 'debug';
    const detail =
      error instanceof Error && debug
        ? (error.stack ?? error.message)
        : String((error as Error)?.message ?? error);
    process.stderr.write(`fullcycle: ${detail}\n`);
    process.exit(error instanceof ValidationError ? 2 : 1);
  },
);
