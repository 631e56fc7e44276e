import { Context, log } from '@temporalio/activity';
import { predictDense } from '../core/dense.js';
import { deserializeEncodedSplits } from '../core/encoded.js';
import { computeMetrics } from '../core/metrics.js';
import type { TrainingCheckpoint } from '../core/train.js';
import type { ArtifactRef } from '../core/types.js';
import type { TrainingDeps } from './deps.js';
import { runTrialInThread } from './trial-runner.js';
import type { TrainingActivities } from './types.js';

/** Epochs between stored checkpoints; a retried trial repeats at most this many. */
const CHECKPOINT_EVERY_EPOCHS = 10;

/** Heartbeat details of a running trial; a retry reads them to resume, and the API shows them as progress. */
export interface TrialHeartbeat {
  trialId: string;
  epoch: number;
  epochs: number;
  loss: number;
  validationLoss: number;
  checkpoint: ArtifactRef | null;
}

/**
 * Stage 3: one hyperparameter trial. Training runs in a worker thread so the
 * worker's event loop stays free for heartbeats and workflow tasks. The
 * activity heartbeats after every epoch and stores a checkpoint every few
 * epochs and when cancelled, so a retry (after a worker loss or a shutdown)
 * resumes from the last checkpoint.
 */
export function createTrainingActivities(deps: TrainingDeps): TrainingActivities {
  let fallbackLogged = false;
  const noteBackend = (backend: string, reason?: string): void => {
    if (!reason || fallbackLogged) return;
    fallbackLogged = true;
    log.warn('TensorFlow.js backend fell back', {
      preferred: deps.config.tfBackend,
      backend,
      reason,
    });
  };

  return {
    runTrial: async (input) => {
      const context = Context.current();
      const started = Date.now();
      const encoded = await deps.artifacts.get(input.encoded);
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
      let backendName = deps.config.tfBackend as string;
      const result = await runTrialInThread(
        {
          params: input.plan.params,
          seed: input.plan.seed,
          encoded,
          patience: input.patience,
          ...(resume ? { resume: resume.checkpoint } : {}),
          backend: deps.config.tfBackend,
          checkpointEveryEpochs: CHECKPOINT_EVERY_EPOCHS,
        },
        {
          signal: context.cancellationSignal,
          onBackend: (backend, reason) => {
            backendName = backend;
            noteBackend(backend, reason);
          },
          onEpoch: async (progress, checkpoint) => {
            if (checkpoint) stored = await deps.artifacts.putJson(checkpoint);
            context.heartbeat({
              trialId: input.plan.trialId,
              ...progress,
              checkpoint: stored,
            } satisfies TrialHeartbeat);
          },
        },
      );

      const splits = deserializeEncodedSplits(encoded);
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
  const checkpoint = await deps.artifacts.getJson<TrainingCheckpoint>(heartbeat.checkpoint);
  return { ref: heartbeat.checkpoint, checkpoint };
}
