import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { bundleProjectWorkflows } from '../../workers/bundle.js';
import { repoPath } from '../support/temporal.js';

// Histories recorded from earlier versions of the workflow (see
// record-histories.ts). A change that would break running projects on
// deploy makes their replay fail here; guard such changes with patched().
const folder = repoPath('test/fixtures/histories');
const files = readdirSync(folder).filter((name) => name.endsWith('.json'));

let bundle: WorkflowBundle;

beforeAll(async () => {
  bundle = await bundleProjectWorkflows();
});

describe('recorded project histories', () => {
  it('include at least two scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('replay %s without nondeterminism', async (file) => {
    const history = JSON.parse(readFileSync(`${folder}/${file}`, 'utf8'));
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle }, history),
    ).resolves.toBeUndefined();
  });
});
