import { Context, log } from '@temporalio/activity';
import { predictDense } from '../core/dense.js';
import { deserializeEncodedSplits } from '../core/encoded.js';
import { computeMetrics } from '../core/metrics.js';
import { initTensorflow, type BackendChoice } from '../core/tf-backend.js';
import { trainModel, type TrainingCheckpoint } from '../core/train.js';
import type { ArtifactRef } from '../core/types.js';
import type { TrainingDeps } from './deps.js';
import type { TrainingActivities } from './types.js';

/** Epochs between stored checkpoints; a retried trial repeats at most this many. */
const CHECKPOINT_EVERY_EPOCHS = 10;

/** Heartbeat details of a running trial; a retry reads them to resume. */
export interface TrialHeartbeat {
  epoch: number;
  epochs: number;
  loss: number;
  validationLoss: number;
  checkpoint: ArtifactRef | null;
}

/**
 * Stage 3: one hyperparameter trial. It heartbeats after every epoch and
 * stores a checkpoint every few epochs and when cancelled, so a retry (after
 * a worker loss or a shutdown) resumes from the last checkpoint.
 */
export function createTrainingActivities(deps: TrainingDeps): TrainingActivities {
  let backend: Promise<BackendChoice> | null = null;
  const ensureBackend = (): Promise<BackendChoice> => {
    backend ??= initTensorflow(deps.config.tfBackend).then((choice) => {
      if (choice.fellBackFrom) log.warn('TensorFlow.js backend fell back', { ...choice });
      return choice;
    });
    return backend;
  };

  return {
    runTrial: async (input) => {
      const context = Context.current();
      const started = Date.now();
      const { backend: backendName } = await ensureBackend();
      const splits = deserializeEncodedSplits(await deps.artifacts.get(input.encoded));
      const resume = await readCheckpoint(
        deps,
        context.info.heartbeatDetails as TrialHeartbeat | undefined,
      );
      if (resume) {
        log.info('Resuming trial from checkpoint', {
          trialId: input.plan.trialId,
          epoch: resume.checkpoint.epoch,
        });
      }

      let stored = resume?.ref ?? null;
      let storedEpoch = resume?.checkpoint.epoch ?? 0;
      const result = await trainModel({
        params: input.plan.params,
        seed: input.plan.seed,
        train: splits.train.x,
        trainLabels: splits.train.y,
        validation: splits.validation.x,
        validationLabels: splits.validation.y,
        patience: input.patience,
        ...(resume ? { resume: resume.checkpoint } : {}),
        signal: context.cancellationSignal,
        onEpoch: async (progress) => {
          const beat = (): void =>
            context.heartbeat({
              epoch: progress.epoch,
              epochs: progress.epochs,
              loss: progress.loss,
              validationLoss: progress.validationLoss,
              checkpoint: stored,
            } satisfies TrialHeartbeat);
          const save = async (): Promise<void> => {
            stored = await deps.artifacts.putJson(progress.checkpoint());
            storedEpoch = progress.epoch;
          };

          if (progress.epoch % CHECKPOINT_EVERY_EPOCHS === 0) await save();
          beat();
          // Training stops at the next epoch boundary once cancelled (worker
          // shutdown or workflow cancel), and the weights are gone after
          // that, so this epoch is the last chance to keep them for a retry.
          if (context.cancellationSignal.aborted && storedEpoch !== progress.epoch) {
            await save();
            beat();
          }
        },
      });

      const scores = predictDense(result.model, splits.validation.x);
      return {
        trialId: input.plan.trialId,
        model: await deps.artifacts.putJson(result.model),
        epochs: result.epochsRun,
        bestEpoch: result.bestEpoch,
        stoppedEarly: result.stoppedEarly,
        validationMetrics: computeMetrics(splits.validation.y, scores, input.threshold),
        backend: backendName,
        durationMs: Date.now() - started,
      };
    },
  };
}

async function readCheckpoint(
  deps: TrainingDeps,
  heartbeat: TrialHeartbeat | undefined,
): Promise<{ ref: ArtifactRef; checkpoint: TrainingCheckpoint } | null> {
  if (!heartbeat?.checkpoint) return null;
  return {
    ref: heartbeat.checkpoint,
    checkpoint: await deps.artifacts.getJson<TrainingCheckpoint>(heartbeat.checkpoint),
  };
}
