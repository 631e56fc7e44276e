/**
 * Runs one trial's training inside a worker thread, so that TensorFlow.js
 * compute does not block the process's event loop: heartbeats, workflow
 * tasks and API requests keep flowing while a trial trains. Talks to
 * runTrialInThread through messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ValidationError } from '../core/errors.js';
import { deserializeEncodedSplits } from '../core/encoded.js';
import { initTensorflow } from '../core/tf-backend.js';
import { trainModel } from '../core/train.js';
import type { ThreadMessage, TrialThreadData } from './trial-runner.js';

const input = workerData as TrialThreadData;
const port = parentPort!;
const controller = new AbortController();
port.on('message', (message: { type: 'abort' }) => {
  if (message.type === 'abort') controller.abort();
});
const send = (message: ThreadMessage): void => port.postMessage(message);

try {
  const backend = await initTensorflow(input.backend);
  send({
    type: 'backend',
    backend: backend.backend,
    ...(backend.reason ? { reason: backend.reason } : {}),
  });
  const splits = deserializeEncodedSplits(input.encoded);
  const result = await trainModel({
    params: input.params,
    seed: input.seed,
    train: splits.train.x,
    trainLabels: splits.train.y,
    validation: splits.validation.x,
    validationLabels: splits.validation.y,
    patience: input.patience,
    ...(input.resume ? { resume: input.resume } : {}),
    signal: controller.signal,
    onEpoch: async (progress) => {
      // Yield once, so that an abort message sent during the epoch is seen now.
      await new Promise((resolve) => setImmediate(resolve));
      const keep = progress.epoch % input.checkpointEveryEpochs === 0 || controller.signal.aborted;
      const { epoch, epochs, loss, validationLoss } = progress;
      send({
        type: 'epoch',
        progress: { epoch, epochs, loss, validationLoss },
        checkpoint: keep ? progress.checkpoint() : null,
      });
    },
  });
  send({ type: 'done', result });
} catch (error) {
  const issues = error instanceof ValidationError ? error.issues : undefined;
  const { name, message } =
    error instanceof Error ? error : { name: 'Error', message: String(error) };
  send({
    type: 'failed',
    name,
    message,
    ...(issues ? { subject: (error as ValidationError).subject, issues } : {}),
  });
}
