import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../../workflows/contracts.js';

/** Absolute path of a file in the repository. */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}

function venvBinary(name: string): string {
  const path = repoPath(`.venv/bin/${name}`);
  if (!existsSync(path))
    throw new Error(`${path} is missing: run "npm run setup" to install the Temporal binaries`);
  return path;
}

/**
 * Starts a time-skipping test server with Fullcycle's search attributes
 * registered. Its clock is global to the server, so the tests of one file
 * that use it run one after another.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: venvBinary('temporal-test-server') } },
  });
  // The test server ignores search attributes given at start; the operator service registers them.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      Object.values(SEARCH_ATTRIBUTES).map((key) => [key.name, 2 /* INDEXED_VALUE_TYPE_KEYWORD */]),
    ),
  });
  return env;
}

/** Starts a Temporal dev server (the CLI's) on a free port, with the search attributes registered. */
export async function createDevServerEnv(): Promise<TestWorkflowEnvironment> {
  return await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: venvBinary('temporal') },
      searchAttributes: Object.values(SEARCH_ATTRIBUTES),
      log: { format: 'pretty', level: 'warn' },
    },
  });
}

/** Polls `read` until `accept` returns true for its value; throws with the last value after `timeoutMs`. */
export async function waitFor<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch {
      // The workflow may not have processed its first task, so the query fails.
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)?.slice(0, 500)}`,
  );
}
