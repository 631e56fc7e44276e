/**
 * Training benchmark: one logistic regression and one MLP trial on the German
 * credit data with each TensorFlow.js backend available here, interleaved so
 * that machine noise hits every backend alike.
 *
 *   npx tsx bench/training.ts [--repeats 3]
 *
 * Prints a Markdown table on stdout.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseDelimited } from '../core/csv.js';
import { buildTypedDataset } from '../core/dataset.js';
import { predictDense } from '../core/dense.js';
import { computeMetrics } from '../core/metrics.js';
import { fitPreprocessor, transformRows } from '../core/preprocess.js';
import { parseSpecText, resolveSpecPaths } from '../core/spec-file.js';
import { ProjectSpecSchema } from '../core/spec.js';
import { stratifiedSplit } from '../core/split.js';
import { initTensorflow, type TensorflowBackend } from '../core/tf-backend.js';
import { trainModel } from '../core/train.js';
import type { TrialParams } from '../core/types.js';
import { percentile } from './support.js';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '3' } } });
const REPEATS = Number(values.repeats);
const BACKENDS: TensorflowBackend[] = ['wasm', 'cpu'];
const TRIALS: { name: string; params: TrialParams }[] = [
  {
    name: 'logistic regression, 100 epochs',
    params: {
      family: 'logistic_regression',
      learningRate: 0.05,
      l2: 0.001,
      epochs: 100,
      batchSize: 64,
    },
  },
  {
    name: 'MLP [32, 16], 60 epochs',
    params: {
      family: 'mlp',
      hiddenUnits: [32, 16],
      dropout: 0.1,
      learningRate: 0.01,
      l2: 0.0001,
      epochs: 60,
      batchSize: 64,
    },
  },
];

const specPath = 'examples/credit-scoring/spec.yaml';
const spec = ProjectSpecSchema.parse(
  resolveSpecPaths(
    parseSpecText(await readFile(specPath, 'utf8'), 'yaml'),
    'examples/credit-scoring',
  ),
);
const table = parseDelimited(await readFile(spec.data.source.path, 'utf8'), spec.data.format);
const names = (await readFile(spec.data.format.columnsFile!, 'utf8')).split('\n').filter(Boolean);
const dataset = buildTypedDataset(table, spec.data, names);
const split = stratifiedSplit(dataset.labels, spec.data.split, spec.data.split.seed);
const pre = fitPreprocessor(dataset, split.train, spec.data.preprocessing);
const train = transformRows(dataset, split.train, pre);
const validation = transformRows(dataset, split.validation, pre);
const test = transformRows(dataset, split.test, pre);
const labelsOf = (rows: number[]) => rows.map((row) => dataset.labels[row]!);

const timings = new Map<string, number[]>();
const aucs = new Map<string, number>();
const fellBack: string[] = [];
for (let repeat = 0; repeat < REPEATS; repeat++) {
  for (const trial of TRIALS) {
    for (const backend of BACKENDS) {
      const choice = await initTensorflow(backend);
      if (choice.fellBackFrom) fellBack.push(`${backend} -> ${choice.backend}`);
      const t0 = performance.now();
      const result = await trainModel({
        params: trial.params,
        seed: 7,
        train,
        trainLabels: labelsOf(split.train),
        validation,
        validationLabels: labelsOf(split.validation),
        patience: 0,
      });
      const key = `${trial.name}|${backend}`;
      timings.set(key, [...(timings.get(key) ?? []), performance.now() - t0]);
      aucs.set(
        key,
        computeMetrics(labelsOf(split.test), predictDense(result.model, test), 0.5).auc,
      );
    }
  }
}

const lines = [
  `Training benchmark, ${new Date().toISOString()}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${REPEATS} repeats, German credit (600 training rows, ${train.cols} encoded features)`,
  '',
  '| trial | backend | median ms | ratio to wasm | test AUC |',
  '| --- | --- | --- | --- | --- |',
];
for (const trial of TRIALS) {
  const wasm = percentile(timings.get(`${trial.name}|wasm`)!, 0.5);
  for (const backend of BACKENDS) {
    const key = `${trial.name}|${backend}`;
    const median = percentile(timings.get(key)!, 0.5);
    lines.push(
      `| ${trial.name} | ${backend} | ${median.toFixed(0)} | ${(median / wasm).toFixed(2)} | ${aucs.get(key)!.toFixed(4)} |`,
    );
  }
}
if (fellBack.length > 0)
  lines.push('', `Backends that fell back: ${[...new Set(fellBack)].join(', ')}`);
process.stdout.write(`${lines.join('\n')}\n`);
