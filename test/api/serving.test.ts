/**
 * Serving without a workflow: two small exported models deployed one after
 * the other in a real registry, scored through POST /predict and through
 * the scorer cache directly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { ScorerCache } from '../../api/serving.js';
import { loadConfig } from '../../core/config.js';
import { predictDense } from '../../core/dense.js';
import { exportToOnnx } from '../../core/onnx/export.js';
import { transformRecords } from '../../core/preprocess.js';
import type { DenseModel, FittedPreprocessor } from '../../core/types.js';
import { LocalArtifactStore } from '../../store/artifacts.js';
import { migrate } from '../../store/migrate.js';
import { SqlRegistry } from '../../store/registry.js';
import type { DeploymentRecord } from '../../store/types.js';
import { createDatabase, type TestDatabase } from '../store/backends.js';
import { seedModel, trialInput, modelInput } from '../store/fixtures.js';
import { apiBackends } from './harness.js';

const PREPROCESSOR: FittedPreprocessor = {
  inputOrder: [
    { name: 'age', type: 'numeric' },
    { name: 'purpose', type: 'categorical' },
  ],
  numeric: [{ name: 'age', imputeValue: 40, mean: 40, std: 10, clipMin: null, clipMax: null }],
  categorical: [{ name: 'purpose', categories: ['car', 'tv'], imputeValue: 'car' }],
  encodedNames: ['age', 'purpose=car', 'purpose=tv'],
};

function logisticModel(weights: number[], bias: number): DenseModel {
  return { family: 'logistic_regression', layers: [{ inputs: 3, units: 1, weights, bias: [bias], activation: 'sigmoid' }] };
}

const MODEL_A = logisticModel([0.8, -0.5, 0.4], 0.1);
const MODEL_B = logisticModel([-1.2, 0.3, 0.9], -0.2);
const ROWS = [
  { age: 25, purpose: 'car' },
  { age: 61, purpose: 'tv' },
  { age: null, purpose: null },
];

describe.each(apiBackends(inject('postgresUrl')))('serving (%s)', (backend) => {
  let database: TestDatabase;
  let folder: string;
  let registry: SqlRegistry;
  let artifacts: LocalArtifactStore;
  let connection: Connection;
  let app: FastifyInstance;
  let projectId: string;

  beforeAll(async () => {
    database = await createDatabase(backend);
    await migrate(database.db);
    folder = await mkdtemp(path.join(os.tmpdir(), 'fullcycle-serving-'));
    registry = new SqlRegistry(database.db);
    artifacts = new LocalArtifactStore(folder);
    // Serving never calls Temporal; a lazy connection to a closed port proves it.
    connection = Connection.lazy({ address: '127.0.0.1:1' });
    const config = loadConfig({ FULLCYCLE_DATA_DIR: folder }, folder);
    app = await buildApp({ config, registry, artifacts, temporal: new Client({ connection }) });
    projectId = (await seedModel(registry)).projectId;
  });

  afterAll(async () => {
    await app?.close();
    await connection?.close();
    await database?.destroy();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  /** Exports `model`, records a model version for it and makes it the active deployment. */
  async function deploy(model: DenseModel, threshold: number): Promise<DeploymentRecord> {
    const [dataset] = await database.db.query<{ id: string }>('select id from dataset_versions where project_id = $1', [projectId]);
    const trial = await registry.upsertTrial(trialInput(projectId, dataset!.id));
    const version = await registry.createModelVersion(modelInput(projectId, trial.id));
    const onnx = await artifacts.put(exportToOnnx(model, PREPROCESSOR, { modelVersion: version.id, projectId, producerVersion: 'test' }), 'application/onnx');
    const preprocessor = await artifacts.putJson(PREPROCESSOR);
    return registry.activateDeployment({ id: `dep-${version.id}`, projectId, modelVersionId: version.id, onnx, preprocessor, threshold });
  }

  const predict = (payload: object) => app.inject({ method: 'POST', url: `/v1/projects/${projectId}/predict`, payload });

  it('swaps to the new deployment', async () => {
    const first = await deploy(MODEL_A, 0.5);
    const before = await predict({ rows: ROWS });
    const second = await deploy(MODEL_B, 0.3);
    const after = await predict({ rows: ROWS });

    expect(before.json().deploymentId).toBe(first.id);
    expect(after.json()).toMatchObject({ deploymentId: second.id, modelVersionId: second.modelVersionId, threshold: 0.3 });
    const expectA = predictDense(MODEL_A, transformRecords(ROWS, PREPROCESSOR));
    const expectB = predictDense(MODEL_B, transformRecords(ROWS, PREPROCESSOR));
    before.json().predictions.forEach((p: { probability: number }, i: number) => expect(p.probability).toBeCloseTo(expectA[i]!, 5));
    after.json().predictions.forEach((p: { probability: number }, i: number) => expect(p.probability).toBeCloseTo(expectB[i]!, 5));
    expect(after.json().predictions.map((p: { label: number }) => p.label)).toEqual(Array.from(expectB, (p) => (p >= 0.3 ? 1 : 0)));
    expect(await registry.countPredictions(first.id)).toBe(3);
    expect(await registry.countPredictions(second.id)).toBe(3);
  });

  it('names single row in issues', async () => {
    const ok = await predict({ row: ROWS[0]! });
    const bad = await predict({ row: { purpose: 'boat' } });

    expect(ok.statusCode).toBe(200);
    expect(ok.json().predictions).toHaveLength(1);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues).toEqual([
      { part: 'body', path: 'row.age', message: 'is required; send null when the value is unknown' },
      {
        part: 'body',
        path: 'row.purpose',
        value: 'boat',
        message: 'must be one of the training levels "car", "tv", or null when the value is unknown',
      },
    ]);
  });

  it('rejects batch over row limit', async () => {
    const response = await predict({ rows: Array.from({ length: 1001 }, () => ROWS[0]) });

    expect(response.statusCode).toBe(400);
    expect(response.json().issues).toEqual([
      { part: 'body', path: 'rows', value: 'array of 1001 items', message: 'Too big: expected array to have <=1000 items' },
    ]);
    expect(response.body.length).toBeLessThan(1000);
  });

  it('keeps old model for in-flight request', async () => {
    const cache = new ScorerCache(artifacts, pino({ level: 'silent' }));
    const first = await deploy(MODEL_A, 0.5);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));

    const slow = cache.use(first, async (model) => {
      await gate;
      return model.scorer.score(ROWS);
    });
    const second = await deploy(MODEL_B, 0.5);
    const fast = await cache.use(second, (model) => model.scorer.score(ROWS));
    release();

    const expectA = predictDense(MODEL_A, transformRecords(ROWS, PREPROCESSOR));
    Array.from(await slow).forEach((p, i) => expect(p).toBeCloseTo(expectA[i]!, 5));
    expect(Array.from(fast)).not.toEqual(Array.from(await slow));
    cache.close();
  });
});
