import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createTrainingActivities, type TrialHeartbeat } from '../../activities/training.js';
import type { TrialOutcome } from '../../activities/types.js';
import { loadConfig } from '../../core/config.js';
import { serializeEncodedSplits } from '../../core/encoded.js';
import { fitPreprocessor, transformRows } from '../../core/preprocess.js';
import { stratifiedSplit } from '../../core/split.js';
import type { TrainingCheckpoint } from '../../core/train.js';
import type { ArtifactRef, TrialPlan } from '../../core/types.js';
import { LocalArtifactStore } from '../../store/artifacts.js';
import { loadGermanCredit } from '../support/german-credit.js';

const PLAN: TrialPlan = {
  trialId: 'lr-01',
  seed: 11,
  params: {
    family: 'logistic_regression',
    learningRate: 0.05,
    l2: 0.001,
    epochs: 25,
    batchSize: 64,
  },
};

let folder: string;
let artifacts: LocalArtifactStore;
let encoded: ArtifactRef;
let activities: ReturnType<typeof createTrainingActivities>;

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'fullcycle-trial-'));
  artifacts = new LocalArtifactStore(folder);
  const dataset = loadGermanCredit();
  const split = stratifiedSplit(dataset.labels, { train: 0.6, validation: 0.2, test: 0.2 }, 42);
  const pre = fitPreprocessor(dataset, split.train, { numericImpute: 'median', clipQuantile: 0 });
  const part = (rows: number[]) => ({
    x: transformRows(dataset, rows, pre),
    y: Float32Array.from(rows, (row) => dataset.labels[row]!),
  });
  const bytes = serializeEncodedSplits({
    featureNames: pre.encodedNames,
    train: part(split.train),
    validation: part(split.validation),
    test: part(split.test),
  });
  encoded = await artifacts.put(bytes, 'application/vnd.fullcycle.encoded-splits');
  const config = loadConfig({ FULLCYCLE_DATA_DIR: folder, FULLCYCLE_TF_BACKEND: 'wasm' }, folder);
  activities = createTrainingActivities({ artifacts, config });
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function collectHeartbeats(env: MockActivityEnvironment): TrialHeartbeat[] {
  const beats: TrialHeartbeat[] = [];
  env.on('heartbeat', (details: TrialHeartbeat) => beats.push(details));
  return beats;
}

describe('runTrial activity', () => {
  it('heartbeats once per epoch', async () => {
    const env = new MockActivityEnvironment();
    const beats = collectHeartbeats(env);
    const outcome: TrialOutcome = await env.run(activities.runTrial, {
      projectId: 'p',
      plan: PLAN,
      encoded,
      patience: 0,
      threshold: 0.5,
    });

    expect(outcome.epochs).toBe(25);
    expect(beats.map((beat) => beat.epoch)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    // A checkpoint is stored every 10 epochs and carried in later heartbeats.
    expect(beats[8]!.checkpoint).toBeNull();
    expect(beats[9]!.checkpoint).not.toBeNull();
    expect(beats[24]!.checkpoint?.sha256).not.toBe(beats[9]!.checkpoint?.sha256);
    expect(outcome.validationMetrics.auc).toBeGreaterThan(0.7);
    expect(await artifacts.has(outcome.model)).toBe(true);
  });

  it('resumes after the checkpoint of a retry', async () => {
    const first = new MockActivityEnvironment();
    const firstBeats = collectHeartbeats(first);
    await first.run(activities.runTrial, {
      projectId: 'p',
      plan: PLAN,
      encoded,
      patience: 0,
      threshold: 0.5,
    });
    const checkpoint = firstBeats[19]!.checkpoint!;
    expect((await artifacts.getJson<TrainingCheckpoint>(checkpoint)).epoch).toBe(20);

    const retry = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: firstBeats[19] });
    const retryBeats = collectHeartbeats(retry);
    const outcome: TrialOutcome = await retry.run(activities.runTrial, {
      projectId: 'p',
      plan: PLAN,
      encoded,
      patience: 0,
      threshold: 0.5,
    });

    expect(retryBeats.map((beat) => beat.epoch)).toEqual([21, 22, 23, 24, 25]);
    expect(outcome.epochs).toBe(25);
  });

  it('stores a checkpoint when cancelled', async () => {
    const env = new MockActivityEnvironment();
    const beats: TrialHeartbeat[] = [];
    env.on('heartbeat', (details: TrialHeartbeat) => {
      beats.push(details);
      if (details.epoch === 3) env.cancel();
    });
    const run = env.run(activities.runTrial, {
      projectId: 'p',
      plan: PLAN,
      encoded,
      patience: 0,
      threshold: 0.5,
    });

    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    // The thread notices the cancellation at the next epoch boundary and sends that epoch's weights.
    const last = beats.at(-1)!;
    expect(last.epoch).toBeGreaterThanOrEqual(3);
    expect(last.epoch).toBeLessThan(PLAN.params.epochs);
    const saved = await artifacts.getJson<TrainingCheckpoint>(last.checkpoint!);
    expect(saved.epoch).toBe(last.epoch);
    expect(saved.model.layers[0]!.weights).toHaveLength(61);
  });
});
