import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger } from 'fastify';
import { ValidationError } from '../core/errors.js';
import { OnnxScorer } from '../core/onnx/scorer.js';
import { validatePredictionRows } from '../core/prediction-input.js';
import type { FeatureRecord } from '../core/records.js';
import type { FittedPreprocessor } from '../core/types.js';
import type { ArtifactStore, DeploymentRecord, Registry } from '../store/types.js';
import { conflict, invalidRequest, notFound } from './errors.js';
import { MAX_PREDICTION_ROWS, type PredictBody, type PredictResponse } from './schemas.js';

/** A deployed model, ready to score. */
export interface LoadedModel {
  scorer: OnnxScorer;
  preprocessor: FittedPreprocessor;
}

interface CacheEntry {
  deploymentId: string;
  deployedAtMs: number;
  model: Promise<LoadedModel>;
  /** Requests scoring with this entry right now. */
  inUse: number;
  retired: boolean;
  released: boolean;
}

/**
 * Keeps one loaded scorer per project: the one of its active deployment.
 * When a request names a newer deployment, that one is loaded and becomes
 * current. The old scorer is released once its last request finishes, so
 * requests in flight during a swap complete on the old model. The first
 * request for a new deployment waits while it loads.
 */
export class ScorerCache {
  private readonly current = new Map<string, CacheEntry>();

  constructor(
    private readonly artifacts: ArtifactStore,
    private readonly logger: FastifyBaseLogger,
  ) {}

  /**
   * Runs `work` with the deployment's model, loading the ONNX bytes and the
   * preprocessor from the artifact store on first use.
   *
   * @throws the artifact store's or onnxruntime's error when loading fails;
   *   the failure is not cached, so the next request tries again.
   */
  async use<T>(deployment: DeploymentRecord, work: (model: LoadedModel) => Promise<T>): Promise<T> {
    const entry = this.entryFor(deployment);
    entry.inUse += 1;
    try {
      return await work(await entry.model);
    } finally {
      entry.inUse -= 1;
      if (entry.retired && entry.inUse === 0) this.release(entry);
    }
  }

  /** Releases every scorer; requests still running keep theirs until they finish. */
  close(): void {
    for (const entry of this.current.values()) this.retire(entry);
    this.current.clear();
  }

  private entryFor(deployment: DeploymentRecord): CacheEntry {
    const cached = this.current.get(deployment.projectId);
    if (cached?.deploymentId === deployment.id) return cached;

    const entry: CacheEntry = {
      deploymentId: deployment.id,
      deployedAtMs: deployment.deployedAt.getTime(),
      model: this.load(deployment),
      inUse: 0,
      retired: false,
      released: false,
    };
    // A request that read the active deployment just before a swap serves once from the old one and leaves the cache as it is.
    if (cached && cached.deployedAtMs > entry.deployedAtMs) {
      entry.retired = true;
      return entry;
    }
    this.current.set(deployment.projectId, entry);
    if (cached) this.retire(cached);
    entry.model.catch(() => {
      if (this.current.get(deployment.projectId) === entry)
        this.current.delete(deployment.projectId);
    });
    return entry;
  }

  private async load(deployment: DeploymentRecord): Promise<LoadedModel> {
    const [bytes, preprocessor] = await Promise.all([
      this.artifacts.get(deployment.onnx),
      this.artifacts.getJson<FittedPreprocessor>(deployment.preprocessor),
    ]);
    const scorer = await OnnxScorer.load(bytes, preprocessor);
    this.logger.info(
      { projectId: deployment.projectId, deploymentId: deployment.id },
      'model loaded for serving',
    );
    return { scorer, preprocessor };
  }

  private retire(entry: CacheEntry): void {
    entry.retired = true;
    if (entry.inUse === 0) this.release(entry);
  }

  private release(entry: CacheEntry): void {
    if (entry.released) return;
    entry.released = true;
    entry.model
      .then((model) => model.scorer.release())
      .then(() => this.logger.info({ deploymentId: entry.deploymentId }, 'model released'))
      .catch((error: unknown) =>
        this.logger.warn({ deploymentId: entry.deploymentId, err: error }, 'model release failed'),
      );
  }
}

/** Scores prediction requests with a project's active deployment and logs every prediction. */
export class PredictionService {
  constructor(
    private readonly registry: Registry,
    private readonly scorers: ScorerCache,
  ) {}

  /**
   * Validates the rows against the deployed model's features, scores them
   * and logs them in one batch before returning. A row's label is 1 when its
   * probability reaches the deployment's threshold. Every logged row carries
   * the validation and scoring time of the whole request as its latency.
   *
   * @throws ApiError 404 for an unknown project, 409 when it has no active
   *   deployment, 400 listing each invalid feature value.
   */
  async predict(projectId: string, body: PredictBody): Promise<PredictResponse> {
    const project = await this.registry.getProject(projectId);
    if (!project) throw notFound(`project ${projectId} not found`);
    const deployment = await this.registry.getActiveDeployment(projectId);
    if (!deployment)
      // The registry's stage can lag the workflow's by one status write, so it is named as recorded.
      throw conflict(
        `project ${projectId} has no deployed model (last recorded stage: ${project.stage})`,
      );

    const single = body.rows === undefined;
    const rows = body.rows ?? [body.row];
    const scored = await this.scorers.use(deployment, async ({ scorer, preprocessor }) => {
      const started = performance.now();
      const records = validateRows(rows, preprocessor, single);
      const probabilities = await scorer.score(records);
      return { records, probabilities, latencyMs: performance.now() - started };
    });

    const predictions = Array.from(scored.probabilities, (probability) => ({
      probability,
      label: probability >= deployment.threshold ? (1 as const) : (0 as const),
    }));
    await this.registry.insertPredictions(
      predictions.map((prediction, index) => ({
        projectId,
        deploymentId: deployment.id,
        modelVersionId: deployment.modelVersionId,
        inputs: scored.records[index]!,
        probability: prediction.probability,
        label: prediction.label,
        latencyMs: scored.latencyMs,
      })),
    );
    const { id: deploymentId, modelVersionId, threshold } = deployment;
    return { projectId, deploymentId, modelVersionId, threshold, predictions };
  }
}

/** Validates rows; for a `row` request, issue paths name `row` instead of `rows.0`. */
function validateRows(
  rows: unknown[],
  preprocessor: FittedPreprocessor,
  single: boolean,
): FeatureRecord[] {
  try {
    return validatePredictionRows(rows, preprocessor, { maxRows: MAX_PREDICTION_ROWS }).records;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const issues = single
      ? error.issues.map((issue) => ({
          ...issue,
          path: issue.path.replace(/^rows\.0(?=\.|$)/, 'row'),
        }))
      : error.issues;
    throw invalidRequest('body', new ValidationError(error.subject, issues));
  }
}
