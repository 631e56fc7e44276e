import type { TestProject } from 'vitest/node';
import { startTestPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the shared test Postgres server, or empty when none could be started. */
    postgresUrl: string;
  }
}

/**
 * Starts the servers that the whole test run shares and hands their
 * addresses to tests through `inject`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];

  const postgres = await startTestPostgres();
  if (postgres) stops.push(postgres.stop);
  project.provide('postgresUrl', postgres?.url ?? '');

  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
