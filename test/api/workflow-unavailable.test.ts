/**
 * Updates sent to a project workflow that cannot take them: a worker runs
 * a stand-in workflow whose every workflow task fails, so Temporal turns
 * approvals and monitoring runs away.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_QUEUES } from '../../workflows/contracts.js';
import { createDevServerEnv } from '../support/temporal.js';
import { smallCreditSpec, startApiHarness, type ApiHarness } from './harness.js';

/** Temporal (dev server 1.32) keeps an update waiting for about 20 s before it gives up on a failing workflow task. */
const UPDATE_TIMEOUT_MS = 50_000;

// Worker and core log the failing workflow task at warn on every retry.
Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });

const silent = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('updates to a failing workflow', () => {
  let env: TestWorkflowEnvironment;
  let h: ApiHarness;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    env = await createDevServerEnv();
    h = await startApiHarness({ backend: 'pglite', env });
    const workflowsPath = fileURLToPath(new URL('./fixtures/failing-workflow.ts', import.meta.url));
    const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: silent });
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUES.main, workflowBundle });
    running = worker.run();
  });

  afterAll(async () => {
    await h?.close();
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  it(
    'answers 503 for approval and monitoring',
    async () => {
      const id = `stuck-${randomUUID().slice(0, 8)}`;
      const created = await h.app.inject({ method: 'POST', url: `/v1/projects?id=${id}`, payload: smallCreditSpec('credit') });
      expect(created.statusCode).toBe(201);

      const [approval, monitoring] = await Promise.all([
        h.app.inject({ method: 'POST', url: `/v1/projects/${id}/approvals`, payload: { decision: 'approve', approver: 'ana' } }),
        h.app.inject({ method: 'POST', url: `/v1/projects/${id}/monitoring/run` }),
      ]);

      for (const response of [approval, monitoring]) {
        expect(response.statusCode).toBe(503);
        expect(response.headers['retry-after']).toBe('60');
        expect(response.json().error).toBe('unavailable');
        expect(response.json().message).toMatch(
          new RegExp(`^workflow project-${id} did not accept the request in time \\(.*Workflow Task in failed state.*\\); retry in a minute`),
        );
      }
    },
    UPDATE_TIMEOUT_MS,
  );
});
