import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import {
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import type { ProjectActivities } from '../../activities/types.js';
import type { ProjectSpec } from '../../core/spec.js';
import { bundleProjectWorkflows } from '../../workers/bundle.js';
import {
  TASK_QUEUES,
  approvePromotionUpdate,
  projectWorkflowId,
  promotionDecisionSignal,
  rejectPromotionUpdate,
  runMonitoringUpdate,
  statusQuery,
  type ProjectState,
} from '../../workflows/contracts.js';
import type { projectWorkflow } from '../../workflows/project.js';
import { creditSpec } from '../support/spec.js';
import { createTimeSkippingEnv, waitFor } from '../support/temporal.js';
import {
  fakeProjectActivities,
  fakeTrainingActivities,
  newFakeLog,
  type FakeLog,
} from './fake-activities.js';

let bundle: WorkflowBundle;
// NOTE: each test starts its own test server (about 0.2 s): after a rejected
// Update, temporal-test-server 1.40.0 stopped skipping time for later tests.
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  bundle = await bundleProjectWorkflows();
});

beforeEach(async () => {
  env = await createTimeSkippingEnv();
});

afterEach(async () => {
  await env?.teardown();
});

type Handle = WorkflowHandle<typeof projectWorkflow>;

interface Harness {
  log: FakeLog;
  handle: Handle;
  status(): Promise<ProjectState>;
  waitForStage(stage: ProjectState['stage']): Promise<ProjectState>;
}

/**
 * Starts a project workflow with fake activities and runs `body` while the
 * workers run; the workflow is terminated afterwards if it still runs.
 */
async function runProject(
  options: {
    spec?: ProjectSpec;
    overrides?: Partial<ProjectActivities>;
    trainingQueues?: string[];
  },
  body: (harness: Harness) => Promise<void>,
): Promise<FakeLog> {
  const log = newFakeLog();
  const connection = env.nativeConnection;
  const workers = [
    await Worker.create({
      connection,
      taskQueue: TASK_QUEUES.main,
      workflowBundle: bundle,
      activities: fakeProjectActivities(log, options.overrides),
    }),
    ...(await Promise.all(
      (options.trainingQueues ?? [TASK_QUEUES.trainingCpu]).map((taskQueue) =>
        Worker.create({
          connection,
          taskQueue,
          activities: fakeTrainingActivities(log, taskQueue),
        }),
      ),
    )),
  ];
  const projectId = `p-${randomUUID().slice(0, 8)}`;
  const handle: Handle = await env.client.workflow.start<typeof projectWorkflow>(
    'projectWorkflow',
    {
      taskQueue: TASK_QUEUES.main,
      workflowId: projectWorkflowId(projectId),
      args: [{ projectId, spec: options.spec ?? creditSpec(), submittedBy: 'test' }],
    },
  );
  const status = (): Promise<ProjectState> => handle.query(statusQuery);
  const waitForStage = (stage: ProjectState['stage']): Promise<ProjectState> =>
    waitFor(status, (state) => state.stage === stage);

  const run = async (): Promise<void> => {
    try {
      await body({ log, handle, status, waitForStage });
    } finally {
      await handle.terminate('test finished').catch(() => undefined);
    }
  };
  await workers.reduceRight<() => Promise<void>>(
    (inner, worker) => () => worker.runUntil(inner),
    run,
  )();
  return log;
}

describe('project workflow', () => {
  it('serves the model after an approval update', async () => {
    await runProject({}, async ({ handle, status, waitForStage }) => {
      const waiting = await waitForStage('awaiting_approval');
      expect(waiting.pendingApproval?.modelVersionId).toBe('mv-lr-01');

      const decision = await handle.executeUpdate(approvePromotionUpdate, {
        args: [{ approver: 'Risk Officer', comment: 'metrics reviewed' }],
      });
      expect(decision.decision).toBe('approve');
      expect(decision.channel).toBe('update');

      const serving = await waitForStage('serving');
      expect(serving.deployment?.deploymentId).toBe('dep-mv-lr-01');
      expect(serving.report?.html.sha256).toBeDefined();
      expect(serving.stageHistory.map((record) => record.stage)).toEqual([
        'initiation',
        'data',
        'training',
        'evaluation',
        'awaiting_approval',
        'deployment',
        'delivery',
        'serving',
      ]);
      expect(
        serving.stageHistory.slice(0, -1).every((record) => record.outcome === 'completed'),
      ).toBe(true);
      expect((await status()).approval?.approver).toBe('Risk Officer');
    });
  });

  it('rejects an approval when nothing awaits one', async () => {
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const overrides: Partial<ProjectActivities> = {
      profileDataset: async () => {
        await blocked;
        return {
          profile: {
            uri: 'artifact://sha256/f',
            sha256: 'f'.repeat(64),
            sizeBytes: 1,
            mediaType: 'application/json',
          },
        };
      },
    };
    await runProject({ overrides }, async ({ handle, waitForStage }) => {
      await waitForStage('data');
      const attempt = handle.executeUpdate(approvePromotionUpdate, {
        args: [{ approver: 'Risk Officer' }],
      });
      await expect(attempt).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await expect(attempt).rejects.toMatchObject({
        cause: {
          message: expect.stringMatching(
            /^no model awaits approval: project p-\w+ is in stage data$/,
          ),
        },
      });
      release();
    });
  });

  it('validates the approver before accepting', async () => {
    const spec = creditSpec({ approval: { timeout: '72h', approvers: ['Ada'] } });
    await runProject({ spec }, async ({ handle, waitForStage }) => {
      await waitForStage('awaiting_approval');
      await expect(
        handle.executeUpdate(approvePromotionUpdate, { args: [{ approver: '  ' }] }),
      ).rejects.toMatchObject({
        cause: { message: 'approver is required: send the name of the person who decides' },
      });
      await expect(
        handle.executeUpdate(approvePromotionUpdate, { args: [{ approver: 'Mallory' }] }),
      ).rejects.toMatchObject({
        cause: { message: 'approver "Mallory" is not allowed: the spec allows Ada' },
      });
      await expect(
        handle.executeUpdate(approvePromotionUpdate, {
          args: [{ approver: 'Ada', modelVersionId: 'mv-other' }],
        }),
      ).rejects.toMatchObject({
        cause: { message: 'model version mv-other does not await approval: mv-lr-01 does' },
      });
      await expect(
        handle.executeUpdate(approvePromotionUpdate, {
          args: [{ approver: 'Ada', comment: 'ok\u0000' }],
        }),
      ).rejects.toMatchObject({
        cause: { message: 'approver and comment must not contain NUL characters' },
      });
      const decision = await handle.executeUpdate(approvePromotionUpdate, {
        args: [{ approver: 'Ada' }],
      });
      expect(decision.approver).toBe('Ada');
    });
  });

  it('ends rejected after a reject update', async () => {
    const log = await runProject({}, async ({ handle, waitForStage }) => {
      await waitForStage('awaiting_approval');
      await handle.executeUpdate(rejectPromotionUpdate, {
        args: [{ approver: 'Risk Officer', comment: 'too few rows' }],
      });
      const result = await handle.result();
      expect(result.stage).toBe('rejected');
      expect(result.approval).toMatchObject({ decision: 'reject', comment: 'too few rows' });
      expect(result.deployment).toBeNull();
    });
    expect(log.calls).toContain('recordApproval');
    expect(log.calls).not.toContain('deployModel');
  });

  it('accepts a decision sent as a signal', async () => {
    await runProject({}, async ({ handle, status, waitForStage }) => {
      await waitForStage('awaiting_approval');
      await handle.signal(promotionDecisionSignal, {
        decision: 'maybe' as 'approve',
        approver: 'Ops',
      });
      await handle.signal(promotionDecisionSignal, { decision: 'approve', approver: '' });
      // Both invalid signals are dropped: the project still waits.
      expect((await status()).stage).toBe('awaiting_approval');

      await handle.signal(promotionDecisionSignal, {
        decision: 'approve',
        approver: 'Ops',
        comment: 'from the UI',
      });
      const serving = await waitForStage('serving');
      expect(serving.approval).toMatchObject({
        approver: 'Ops',
        channel: 'signal',
        decision: 'approve',
      });
    });
  });

  it('expires the candidate at the approval deadline', async () => {
    const spec = creditSpec({ approval: { timeout: '2h' } });
    await runProject({ spec }, async ({ handle, waitForStage }) => {
      const waiting = await waitForStage('awaiting_approval');
      expect(
        Date.parse(waiting.pendingApproval!.deadline) -
          Date.parse(waiting.pendingApproval!.requestedAt),
      ).toBe(2 * 3_600_000);
      // Awaiting the result lets the test server skip the two hours.
      const result = await handle.result();
      expect(result.stage).toBe('approval_expired');
      expect(result.approval).toMatchObject({
        decision: 'expire',
        approver: 'system',
        channel: 'timer',
      });
    });
  });

  it('retries a failing activity', async () => {
    let attempts = 0;
    const overrides: Partial<ProjectActivities> = {
      prepareDataset: async () => {
        attempts += 1;
        if (attempts < 3) throw new Error('artifact store unreachable');
        return {
          splits: {
            uri: 'artifact://sha256/s',
            sha256: 's'.repeat(64),
            sizeBytes: 1,
            mediaType: 'application/json',
          },
          preprocessor: {
            uri: 'artifact://sha256/p',
            sha256: 'p'.repeat(64),
            sizeBytes: 1,
            mediaType: 'application/json',
          },
          encoded: {
            uri: 'artifact://sha256/e',
            sha256: 'e'.repeat(64),
            sizeBytes: 1,
            mediaType: 'application/json',
          },
          splitRows: { train: 600, validation: 200, test: 200 },
          encodedFeatures: 61,
        };
      },
    };
    await runProject({ overrides }, async ({ waitForStage }) => {
      await waitForStage('awaiting_approval');
    });
    expect(attempts).toBe(3);
  });

  it('fails the data stage on invalid data without retrying', async () => {
    const message =
      'column "duration_months", line 7: value is not a number (rule numeric, got "abc").';
    const overrides: Partial<ProjectActivities> = {
      ingestDataset: async () => {
        throw ApplicationFailure.nonRetryable(message, 'DATA_INVALID', {
          column: 'duration_months',
          line: 7,
        });
      },
    };
    const log = await runProject({ overrides }, async ({ handle, status }) => {
      const failure = await handle.result().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(WorkflowFailedError);

      const state = await status();
      expect(state.stage).toBe('failed');
      expect(state.error).toEqual({ stage: 'data', type: 'DATA_INVALID', message });
      expect(state.stageHistory.find((record) => record.stage === 'data')?.outcome).toBe('failed');
    });
    expect(log.calls.filter((name) => name === 'ingestDataset')).toHaveLength(1);
    expect(log.statuses.at(-1)?.error?.type).toBe('DATA_INVALID');
  });

  it('sends trials to a GPU worker when one serves the queue', async () => {
    const spec = creditSpec({
      training: {
        resources: { device: 'gpu', gpuScheduleTimeout: '1m', onGpuUnavailable: 'fallback_cpu' },
      },
    });
    const trainingQueues = [TASK_QUEUES.trainingCpu, TASK_QUEUES.trainingGpu];
    const log = await runProject({ spec, trainingQueues }, async ({ waitForStage }) => {
      const waiting = await waitForStage('awaiting_approval');
      expect(waiting.trials.map((trial) => trial.queue)).toEqual([
        TASK_QUEUES.trainingGpu,
        TASK_QUEUES.trainingGpu,
      ]);
    });
    expect(log.trialQueues.get('lr-01')).toBe(TASK_QUEUES.trainingGpu);
  });

  it('monitors on request and continues as new', async () => {
    const spec = creditSpec({
      monitoring: {
        interval: '1h',
        psiBins: 10,
        psiAlertThreshold: 0.2,
        minPredictions: 1,
        checksPerRun: 2,
      },
    });
    const log = await runProject({ spec }, async ({ handle, status, waitForStage }) => {
      await waitForStage('awaiting_approval');
      await expect(handle.executeUpdate(runMonitoringUpdate)).rejects.toMatchObject({
        cause: { message: 'no model is serving: project is in stage awaiting_approval' },
      });
      await handle.executeUpdate(approvePromotionUpdate, { args: [{ approver: 'Ada' }] });
      await waitForStage('serving');

      const check = await handle.executeUpdate(runMonitoringUpdate);
      expect(check.predictions).toBe(0);
      expect((await status()).monitoring.checks).toBe(1);

      // Two timer-driven checks end the run; the next run carries the state over.
      await env.sleep('2h');
      const next = await waitFor(status, (state) => state.run === 2);
      expect(next.stage).toBe('serving');
      expect(next.monitoring.checks).toBe(3);
      expect(next.deployment?.modelVersionId).toBe('mv-lr-01');
    });
    expect(log.calls.filter((name) => name === 'checkDrift')).toHaveLength(3);
  });
});
