import type { Client } from '@temporalio/client';
import type { Registry } from '../store/types.js';
import { pingTemporal } from './workflow-calls.js';

/** How long each dependency may take to respond to a health check. */
export const HEALTH_TIMEOUT_MS = 3_000;

/** The outcome of one health check: `ok`, or `failed: <reason>`. */
export interface HealthReport {
  healthy: boolean;
  database: string;
  temporal: string;
}

/**
 * Checks the database (with `probeDatabase`, else by listing one project)
 * and the Temporal server, both at once. Never throws: a failed or slow
 * check is reported as `failed: <reason>`.
 */
export async function checkHealth(deps: {
  registry: Registry;
  temporal: Client;
  probeDatabase?: () => Promise<void>;
}): Promise<HealthReport> {
  const probeDatabase =
    deps.probeDatabase ?? (async () => void (await deps.registry.listProjects({ limit: 1 })));
  const [database, temporal] = await Promise.all([
    outcome(() => withTimeout(probeDatabase(), 'database')),
    outcome(() => pingTemporal(deps.temporal, HEALTH_TIMEOUT_MS)),
  ]);
  return { healthy: database === 'ok' && temporal === 'ok', database, temporal };
}

async function outcome(check: () => Promise<unknown>): Promise<string> {
  try {
    await check();
    return 'ok';
  } catch (error) {
    return `failed: ${(error as Error).message}`;
  }
}

function withTimeout<T>(work: Promise<T>, dependency: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${dependency} did not respond within ${HEALTH_TIMEOUT_MS} ms`)),
      HEALTH_TIMEOUT_MS,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
