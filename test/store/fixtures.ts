import { randomUUID } from 'node:crypto';
import { ProjectSpecSchema } from '../../core/spec.js';
import type { ArtifactRef, Metrics } from '../../core/types.js';
import type { DatasetVersionRecord, ModelVersionRecord, ProjectRecord, TrialRecord } from '../../store/types.js';
import type { SqlRegistry } from '../../store/registry.js';

/** Returns an id that no other test uses. */
export function freshId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export const SPEC = ProjectSpecSchema.parse({
  name: 'credit-scoring',
  data: { source: { type: 'file', path: 'german_credit.data' }, target: { column: 'risk', positiveClass: 'bad' } },
  training: { models: [{ family: 'logistic_regression' }] },
});

/** Returns a reference to an artifact whose hash is `fill` repeated. */
export function artifactRef(fill: string, mediaType = 'application/octet-stream'): ArtifactRef {
  const sha256 = fill.repeat(64).slice(0, 64);
  return { uri: `artifact://sha256/${sha256}`, sha256, sizeBytes: 123, mediaType };
}

export const METRICS: Metrics = {
  auc: 0.81,
  ks: 0.5,
  gini: 0.62,
  accuracy: 0.75,
  precision: 0.6,
  recall: 0.55,
  f1: 0.57,
  logLoss: 0.49,
  brier: 0.17,
  threshold: 0.5,
  rows: 200,
  positives: 60,
};

export function projectInput(id = freshId('project')): Pick<ProjectRecord, 'id' | 'name' | 'workflowId' | 'spec' | 'specSha256' | 'owner'> {
  return { id, name: 'Credit scoring', workflowId: `project-${id}`, spec: SPEC, specSha256: 'ab'.repeat(32), owner: 'ana' };
}

export function datasetInput(projectId: string, id = freshId('dataset')): Omit<DatasetVersionRecord, 'createdAt'> {
  return {
    id,
    projectId,
    sourcePath: '/data/german_credit.data',
    sourceSha256: 'cd'.repeat(32),
    rows: 1000,
    columns: [
      { name: 'age', type: 'numeric' },
      { name: 'purpose', type: 'categorical' },
    ],
    artifacts: {
      dataset: artifactRef('1'),
      splits: artifactRef('2'),
      preprocessor: artifactRef('3'),
      encoded: artifactRef('6'),
      profile: artifactRef('4'),
    },
    profileSummary: { rows: 1000, positives: 300, positiveRate: 0.3 },
  };
}

export function trialInput(projectId: string, datasetVersionId: string, id = freshId('trial')): Omit<TrialRecord, 'startedAt' | 'finishedAt'> {
  return {
    id,
    projectId,
    datasetVersionId,
    params: { family: 'logistic_regression', learningRate: 0.05, l2: 0.001, epochs: 100, batchSize: 64 },
    status: 'running',
    epochs: null,
    queue: 'training-cpu',
    validationMetrics: null,
    model: null,
    error: null,
  };
}

export function modelInput(projectId: string, trialId: string, id = freshId('model')): Omit<ModelVersionRecord, 'version' | 'createdAt' | 'onnx'> {
  return {
    id,
    projectId,
    trialId,
    stage: 'candidate',
    validationMetrics: METRICS,
    testMetrics: { ...METRICS, auc: 0.79 },
    gates: [{ metric: 'auc', value: 0.79, min: 0.7, passed: true }],
    model: artifactRef('5', 'application/json'),
  };
}

/** Creates a project with one dataset version and returns their ids. */
export async function seedProject(registry: SqlRegistry): Promise<{ projectId: string; datasetVersionId: string }> {
  const project = await registry.createProject(projectInput());
  const dataset = await registry.upsertDatasetVersion(datasetInput(project.id));
  return { projectId: project.id, datasetVersionId: dataset.id };
}

/** Creates a project, a dataset version, a trial and a model version from it. */
export async function seedModel(registry: SqlRegistry): Promise<{ projectId: string; datasetVersionId: string; modelVersionId: string }> {
  const seeded = await seedProject(registry);
  const trial = await registry.upsertTrial(trialInput(seeded.projectId, seeded.datasetVersionId));
  const model = await registry.createModelVersion(modelInput(seeded.projectId, trial.id));
  return { ...seeded, modelVersionId: model.id };
}
