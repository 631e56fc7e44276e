import { pino, type Logger } from 'pino';
import { DefaultLogger, Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';
import type { AppConfig } from '../core/config.js';

/**
 * Creates the process logger: pino JSON lines on stderr, so stdout stays free
 * for command output such as `demo --json`.
 */
export function createLogger(level: AppConfig['logLevel']): Logger {
  return pino({ level, base: { service: 'fullcycle' } }, pino.destination(2));
}

const TEMPORAL_LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Returns a Temporal SDK logger that writes through `logger`, for Runtime.install. */
export function temporalLogger(logger: Logger, level: AppConfig['logLevel']): DefaultLogger {
  const temporalLevel = level.toUpperCase() as LogLevel;
  return new DefaultLogger(temporalLevel, ({ level: entryLevel, message, meta }) => {
    logger[TEMPORAL_LEVELS[entryLevel]](
      { ...(meta as LogMetadata | undefined), source: 'temporal' },
      message,
    );
  });
}

let runtimeInstalled = false;

/**
 * Routes the Temporal SDK's logs, native ones included, through `logger`.
 * It must run before the first connection or worker; later calls do nothing.
 */
export function installTemporalRuntime(logger: Logger, level: AppConfig['logLevel']): void {
  if (runtimeInstalled) return;
  const temporalLevel = level.toUpperCase() as LogLevel;
  Runtime.install({
    logger: temporalLogger(logger, level),
    telemetryOptions: { logging: { filter: { core: temporalLevel, other: 'WARN' }, forward: {} } },
  });
  runtimeInstalled = true;
}
