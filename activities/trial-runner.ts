import { Worker } from 'node:worker_threads';
import { ValidationError, type FieldIssue } from '../core/errors.js';
import type { TensorflowBackend } from '../core/tf-backend.js';
import {
  TrainingAbortedError,
  type EpochRecord,
  type TrainModelResult,
  type TrainingCheckpoint,
} from '../core/train.js';
import type { TrialParams } from '../core/types.js';

/** Input data of a trial's worker thread. */
export interface TrialThreadData {
  params: TrialParams;
  seed: number;
  /** The serialized encoded splits (see core/encoded.ts). */
  encoded: Uint8Array;
  patience: number;
  resume?: TrainingCheckpoint;
  backend: TensorflowBackend;
  /** The thread sends a checkpoint with every n-th epoch and with the epoch in which it saw an abort. */
  checkpointEveryEpochs: number;
}

export type ThreadMessage =
  | { type: 'backend'; backend: string; reason?: string }
  | {
      type: 'epoch';
      progress: EpochRecord & { epochs: number };
      checkpoint: TrainingCheckpoint | null;
    }
  | { type: 'done'; result: TrainModelResult }
  | { type: 'failed'; name: string; message: string; subject?: string; issues?: FieldIssue[] };

export interface TrialThreadHooks {
  /** Awaited in order for every epoch; the next message waits until it settles. */
  onEpoch(
    progress: EpochRecord & { epochs: number },
    checkpoint: TrainingCheckpoint | null,
  ): Promise<void>;
  onBackend?(backend: string, reason?: string): void;
  /** Aborting stops training at the next epoch boundary, after that epoch's checkpoint is handed over. */
  signal?: AbortSignal;
}

const ENTRY = new URL('./trial-thread-entry.js', import.meta.url);

/**
 * Trains one trial in a worker thread and returns its result. Rejects with
 * TrainingAbortedError after an abort, with ValidationError for invalid
 * input, and with an Error for anything else the thread reports or a crash
 * of the thread itself.
 */
export async function runTrialInThread(
  data: TrialThreadData,
  hooks: TrialThreadHooks,
): Promise<TrainModelResult> {
  const thread = new Worker(ENTRY, { workerData: data });
  const abort = (): void => thread.postMessage({ type: 'abort' });
  if (hooks.signal?.aborted) abort();
  hooks.signal?.addEventListener('abort', abort, { once: true });

  // Messages are handled one at a time, in order, so a checkpoint is stored
  // and heartbeated before the outcome that follows it is reported.
  let queue: Promise<unknown> = Promise.resolve();
  try {
    return await new Promise<TrainModelResult>((resolve, reject) => {
      thread.on('message', (message: ThreadMessage) => {
        queue = queue
          .then(() => handle(message, hooks))
          .then((result) => result && resolve(result), reject);
      });
      thread.once('error', (error) => queue.then(() => reject(error)));
      thread.once('exit', (code) => {
        void queue.then(() =>
          reject(new Error(`trial thread exited with code ${code} before finishing`)),
        );
      });
    });
  } finally {
    hooks.signal?.removeEventListener('abort', abort);
    await thread.terminate();
  }
}

async function handle(
  message: ThreadMessage,
  hooks: TrialThreadHooks,
): Promise<TrainModelResult | undefined> {
  switch (message.type) {
    case 'backend':
      hooks.onBackend?.(message.backend, message.reason);
      return undefined;
    case 'epoch':
      await hooks.onEpoch(message.progress, message.checkpoint);
      return undefined;
    case 'done':
      return message.result;
    case 'failed':
      throw rebuildError(message);
  }
}

function rebuildError(message: Extract<ThreadMessage, { type: 'failed' }>): Error {
  if (message.name === 'AbortError') return new TrainingAbortedError(message.message);
  if (message.issues)
    return new ValidationError(message.subject ?? 'training input', message.issues);
  const error = new Error(message.message);
  error.name = message.name;
  return error;
}
