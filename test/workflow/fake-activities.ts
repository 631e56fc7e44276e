/**
 * Small stand-ins for the activities, for workflow tests that check the
 * workflow's own logic (approval, deadlines, retries, fallbacks) on the
 * time-skipping server. The real activities are exercised in the end-to-end
 * test.
 */
import type { ProjectActivities, TrainingActivities } from '../../activities/types.js';
import type { ArtifactRef, Metrics } from '../../core/types.js';
import type { ProjectState } from '../../workflows/contracts.js';

export function fakeRef(name: string): ArtifactRef {
  const sha256 = name.padEnd(64, '0').slice(0, 64);
  return {
    uri: `artifact://sha256/${sha256}`,
    sha256,
    sizeBytes: 10,
    mediaType: 'application/json',
  };
}

export function fakeMetrics(auc: number): Metrics {
  return {
    auc,
    ks: 0.4,
    gini: 2 * auc - 1,
    accuracy: 0.75,
    precision: 0.6,
    recall: 0.5,
    f1: 0.55,
    logLoss: 0.5,
    brier: 0.17,
    threshold: 0.5,
    rows: 200,
    positives: 60,
  };
}

export interface FakeLog {
  /** Activity names in call order, one entry per attempt. */
  calls: string[];
  /** Every state the workflow recorded. */
  statuses: ProjectState[];
  /** Task queue each trial ran on, by trial id. */
  trialQueues: Map<string, string>;
}

export function fakeProjectActivities(
  log: FakeLog,
  overrides: Partial<ProjectActivities> = {},
): ProjectActivities {
  const dataset = {
    versionId: 'a'.repeat(64),
    sha256: 'a'.repeat(64),
    rows: 1000,
    features: 20,
    encodedFeatures: 61,
    splitRows: { train: 600, validation: 200, test: 200 },
    positiveRate: 0.3,
    artifacts: {
      dataset: fakeRef('d'),
      splits: fakeRef('s'),
      preprocessor: fakeRef('p'),
      encoded: fakeRef('e'),
      profile: fakeRef('f'),
    },
  };
  const base: ProjectActivities = {
    recordStatus: async (state) => void log.statuses.push(structuredClone(state)),
    checkFeasibility: async () => ({
      sourcePath: '/data/x.csv',
      sourceSizeBytes: 100,
      columns: ['a', 'class'],
      rows: 1000,
      classCounts: { positive: 300, negative: 700 },
    }),
    ingestDataset: async () => ({
      dataset: fakeRef('d'),
      sourcePath: '/data/x.csv',
      sourceSha256: 'b'.repeat(64),
      rows: 1000,
      positives: 300,
      features: [{ name: 'a', type: 'numeric' }],
    }),
    prepareDataset: async () => ({
      splits: fakeRef('s'),
      preprocessor: fakeRef('p'),
      encoded: fakeRef('e'),
      splitRows: { train: 600, validation: 200, test: 200 },
      encodedFeatures: 61,
    }),
    profileDataset: async () => ({ profile: fakeRef('f') }),
    registerDatasetVersion: async () => dataset,
    planTrials: async () => [
      {
        trialId: 'lr-01',
        seed: 1,
        params: {
          family: 'logistic_regression',
          learningRate: 0.05,
          l2: 0,
          epochs: 5,
          batchSize: 32,
        },
      },
      {
        trialId: 'lr-02',
        seed: 2,
        params: {
          family: 'logistic_regression',
          learningRate: 0.01,
          l2: 0,
          epochs: 5,
          batchSize: 32,
        },
      },
    ],
    recordTrial: async () => undefined,
    evaluateTrials: async ({ trials }) => {
      const best = trials.find((trial) => trial.status === 'completed')!;
      return {
        ranking: [],
        candidate: {
          modelVersionId: `mv-${best.trialId}`,
          version: 1,
          trialId: best.trialId,
          params: best.params,
          validationMetrics: fakeMetrics(0.8),
          testMetrics: fakeMetrics(0.78),
          gates: [{ metric: 'auc', value: 0.78, min: 0.7, passed: true }],
          model: fakeRef('m'),
        },
      };
    },
    recordApproval: async () => undefined,
    exportModel: async () => ({ onnx: fakeRef('o'), maxAbsDiff: 1e-7 }),
    deployModel: async ({ candidate, onnx }) => ({
      deploymentId: `dep-${candidate.modelVersionId}`,
      modelVersionId: candidate.modelVersionId,
      onnx,
      deployedAt: new Date().toISOString(),
      onnxMaxAbsDiff: 1e-7,
    }),
    buildReport: async () => ({ json: fakeRef('rj'), html: fakeRef('rh') }),
    checkDrift: async () => ({
      checkedAt: new Date().toISOString(),
      predictions: 0,
      drift: [],
      maxPsi: null,
      alerts: [],
    }),
  };
  const activities = { ...base, ...overrides };
  // Log each call by name, so tests can count attempts.
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => {
        log.calls.push(name);
        return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      },
    ]),
  ) as unknown as ProjectActivities;
}

export function fakeTrainingActivities(log: FakeLog, queue: string): TrainingActivities {
  return {
    runTrial: async ({ plan }) => {
      log.calls.push('runTrial');
      log.trialQueues.set(plan.trialId, queue);
      return {
        trialId: plan.trialId,
        model: fakeRef(`m${plan.trialId}`),
        epochs: 5,
        bestEpoch: 5,
        stoppedEarly: false,
        validationMetrics: fakeMetrics(0.8),
        backend: 'fake',
        durationMs: 1,
      };
    },
  };
}

export function newFakeLog(): FakeLog {
  return { calls: [], statuses: [], trialQueues: new Map() };
}
