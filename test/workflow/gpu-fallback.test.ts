import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { bundleProjectWorkflows } from '../../workers/bundle.js';
import { TASK_QUEUES, projectWorkflowId, statusQuery } from '../../workflows/contracts.js';
import { creditSpec } from '../support/spec.js';
import { createDevServerEnv, waitFor } from '../support/temporal.js';
import { fakeProjectActivities, fakeTrainingActivities, newFakeLog } from './fake-activities.js';

// The time-skipping test server (1.40.0) never fires a schedule-to-start
// timeout, so this runs on the dev server with a 2 s wait in real time.
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createDevServerEnv();
});

afterAll(async () => {
  await env?.teardown();
});

describe('GPU trials', () => {
  it('fall back to CPU when no GPU worker polls', async () => {
    const log = newFakeLog();
    const workers = [
      await Worker.create({
        connection: env.nativeConnection,
        taskQueue: TASK_QUEUES.main,
        workflowBundle: await bundleProjectWorkflows(),
        activities: fakeProjectActivities(log),
      }),
      await Worker.create({
        connection: env.nativeConnection,
        taskQueue: TASK_QUEUES.trainingCpu,
        activities: fakeTrainingActivities(log, TASK_QUEUES.trainingCpu),
      }),
    ];
    const spec = creditSpec({
      training: {
        resources: { device: 'gpu', gpuScheduleTimeout: '2s', onGpuUnavailable: 'fallback_cpu' },
      },
    });
    const projectId = `gpu-${randomUUID().slice(0, 8)}`;
    const handle = await env.client.workflow.start('projectWorkflow', {
      taskQueue: TASK_QUEUES.main,
      workflowId: projectWorkflowId(projectId),
      args: [{ projectId, spec, submittedBy: 'test' }],
    });

    const started = Date.now();
    const waiting = await workers[0]!.runUntil(
      workers[1]!.runUntil(
        waitFor(
          () => handle.query(statusQuery),
          (state) => state.stage === 'awaiting_approval',
          30_000,
        ),
      ),
    );
    await handle.terminate('test finished');

    expect(waiting.trials.map((trial) => trial.queue)).toEqual([
      TASK_QUEUES.trainingCpu,
      TASK_QUEUES.trainingCpu,
    ]);
    expect([...log.trialQueues.values()]).toEqual([
      TASK_QUEUES.trainingCpu,
      TASK_QUEUES.trainingCpu,
    ]);
    // The fallback happens only after the spec's schedule-to-start timeout.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
  });
});
