/**
 * Records workflow histories for the replay test. Run it only to add a new
 * scenario. Re-recording an existing file after a workflow change would
 * hide exactly the incompatibility that the replay test exists to catch.
 *
 *   npx tsx test/workflow/record-histories.ts
 */
import { writeFile } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { bundleProjectWorkflows } from '../../workers/bundle.js';
import {
  TASK_QUEUES,
  approvePromotionUpdate,
  rejectPromotionUpdate,
  runMonitoringUpdate,
  statusQuery,
} from '../../workflows/contracts.js';
import { creditSpec } from '../support/spec.js';
import { createTimeSkippingEnv, repoPath, waitFor } from '../support/temporal.js';
import { fakeProjectActivities, fakeTrainingActivities, newFakeLog } from './fake-activities.js';

const bundle = await bundleProjectWorkflows();

const scenarios: Record<string, (handle: any) => Promise<void>> = {
  'approved-and-monitored': async (handle) => {
    await handle.executeUpdate(approvePromotionUpdate, {
      args: [{ approver: 'Ada', comment: 'ok' }],
    });
    await waitFor(
      () => handle.query(statusQuery),
      (state: any) => state.stage === 'serving',
    );
    await handle.executeUpdate(runMonitoringUpdate);
    await handle.terminate('recorded');
  },
  rejected: async (handle) => {
    await handle.executeUpdate(rejectPromotionUpdate, {
      args: [{ approver: 'Ada', comment: 'no' }],
    });
    await handle.result();
  },
};

for (const [name, finish] of Object.entries(scenarios)) {
  const env = await createTimeSkippingEnv();
  const log = newFakeLog();
  const main = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUES.main,
    workflowBundle: bundle,
    activities: fakeProjectActivities(log),
  });
  const training = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUES.trainingCpu,
    activities: fakeTrainingActivities(log, TASK_QUEUES.trainingCpu),
  });
  const handle = await env.client.workflow.start('projectWorkflow', {
    taskQueue: TASK_QUEUES.main,
    workflowId: `project-${name}`,
    args: [{ projectId: name, spec: creditSpec(), submittedBy: 'recorder' }],
  });
  await main.runUntil(
    training.runUntil(async () => {
      await waitFor(
        () => handle.query(statusQuery),
        (state) => state.stage === 'awaiting_approval',
      );
      await finish(handle);
    }),
  );
  const file = repoPath(`test/fixtures/histories/${name}.json`);
  await writeFile(file, historyToJSON(await handle.fetchHistory()));
  console.log(`recorded ${file}`);
  await env.teardown();
}
