import { z } from 'zod';

/**
 * Durations in specs are written as an integer and a unit, such as `500ms`,
 * `30s`, `15m`, `72h` or `7d`.
 */
const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Converts a spec duration such as `72h` to milliseconds. */
export function durationToMs(duration: string): number {
  const match = DURATION_PATTERN.exec(duration);
  if (!match) throw new Error(`invalid duration "${duration}": expected an integer and a unit (ms, s, m, h, d)`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** Returns the schema of a spec duration between `min` and `max` (both written like `30s`). */
function duration(min: string, max: string) {
  const minMs = durationToMs(min);
  const maxMs = durationToMs(max);
  return z
    .string()
    .regex(DURATION_PATTERN, 'must be an integer followed by ms, s, m, h or d, such as "30s" or "72h"')
    .refine((value) => durationToMs(value) >= minMs && durationToMs(value) <= maxMs, {
      message: `must be between ${min} and ${max}`,
    });
}

const columnName = z.string().min(1).max(128);
const LINE_BREAKS = ['\n', '\r'];

/** Metrics that quality gates and model selection can name. */
export const METRIC_NAMES = [
  'auc',
  'ks',
  'gini',
  'accuracy',
  'precision',
  'recall',
  'f1',
  'logLoss',
  'brier',
] as const;
export const MetricNameSchema = z.enum(METRIC_NAMES);
export type MetricName = z.infer<typeof MetricNameSchema>;

/** Metrics where a lower value is better; every other metric is better when higher. */
export const LOWER_IS_BETTER: ReadonlySet<MetricName> = new Set(['logLoss', 'brier']);

const nonEmptyList = <T extends z.ZodType>(item: T) => z.array(item).min(1);

const DataSourceSchema = z.strictObject({
  type: z.literal('file'),
  /** Absolute, or relative to the spec file (CLI) or the first allowed data root (API). */
  path: z.string().min(1),
});

const DelimitedFormatSchema = z
  .strictObject({
    type: z.literal('delimited').default('delimited'),
    delimiter: z.string().length(1, 'must be exactly one character').default(','),
    quote: z.string().length(1, 'must be exactly one character').default('"'),
    header: z.boolean().default(true),
    /** Column names in file order; required when the file has no header row. */
    columns: nonEmptyList(columnName).optional(),
    /** A file with one column name per line, as an alternative to `columns`. */
    columnsFile: z.string().min(1).optional(),
    /** Cell values read as missing. */
    missingValues: z.array(z.string()).default(['', 'NA', 'N/A', 'null', '?']),
    /** Lines to skip before the header or first data row. */
    skipLines: z.number().int().min(0).default(0),
  })
  .refine((f) => !(f.columns && f.columnsFile), {
    message: 'set either columns or columnsFile, not both',
    path: ['columnsFile'],
  })
  .refine((f) => f.delimiter !== f.quote, {
    message: 'must differ from the quote character',
    path: ['delimiter'],
  })
  .refine((f) => !LINE_BREAKS.includes(f.delimiter) && !LINE_BREAKS.includes(f.quote), {
    message: 'must not be a line break',
    path: ['delimiter'],
  });

const TargetSchema = z.strictObject({
  column: columnName,
  /** The raw value of the target column that counts as the positive class. */
  positiveClass: z.union([z.string().min(1), z.number()]).transform(String),
});

const SplitSchema = z
  .strictObject({
    train: z.number().gt(0).lt(1).default(0.6),
    validation: z.number().gt(0).lt(1).default(0.2),
    test: z.number().gt(0).lt(1).default(0.2),
    seed: z.number().int().default(42),
  })
  .refine((s) => Math.abs(s.train + s.validation + s.test - 1) < 1e-9, {
    message: 'train, validation and test must sum to 1',
    path: ['train'],
  });

const PreprocessingSchema = z.strictObject({
  numericImpute: z.enum(['median', 'mean']).default('median'),
  /** Clip numeric values to these training-split quantiles; 0 turns clipping off. */
  clipQuantile: z.number().min(0).lt(0.5).default(0),
});

const QualityRulesSchema = z.strictObject({
  minRows: z.number().int().min(10).default(100),
  /** A column with a larger share of missing cells fails validation. */
  maxMissingFraction: z.number().min(0).max(1).default(0.5),
  /** Each class needs at least this many rows. */
  minRowsPerClass: z.number().int().min(1).default(10),
});

const DataSchema = z.strictObject({
  source: DataSourceSchema,
  format: DelimitedFormatSchema.default({
    type: 'delimited',
    delimiter: ',',
    quote: '"',
    header: true,
    missingValues: ['', 'NA', 'N/A', 'null', '?'],
    skipLines: 0,
  }),
  target: TargetSchema,
  /** Declared column types; columns left out are inferred from their values. */
  schema: z.record(columnName, z.enum(['numeric', 'categorical'])).default({}),
  features: z
    .strictObject({
      include: nonEmptyList(columnName).optional(),
      exclude: z.array(columnName).default([]),
    })
    .default({ exclude: [] }),
  rules: QualityRulesSchema.default({ minRows: 100, maxMissingFraction: 0.5, minRowsPerClass: 10 }),
  split: SplitSchema.default({ train: 0.6, validation: 0.2, test: 0.2, seed: 42 }),
  preprocessing: PreprocessingSchema.default({ numericImpute: 'median', clipQuantile: 0 }),
});

const learningRates = nonEmptyList(z.number().positive().max(10));
const l2Values = nonEmptyList(z.number().min(0).max(10));
const epochValues = nonEmptyList(z.number().int().min(1).max(10_000));
const batchSizes = nonEmptyList(z.number().int().min(1).max(65_536));

const LogisticRegressionSearchSchema = z.strictObject({
  family: z.literal('logistic_regression'),
  learningRate: learningRates.default([0.05]),
  l2: l2Values.default([0.001]),
  epochs: epochValues.default([100]),
  batchSize: batchSizes.default([64]),
});

const MlpSearchSchema = z.strictObject({
  family: z.literal('mlp'),
  /** Each entry is one architecture: the unit count of each hidden layer. */
  hiddenUnits: nonEmptyList(nonEmptyList(z.number().int().min(1).max(4096)).max(8)).default([[32, 16]]),
  dropout: nonEmptyList(z.number().min(0).lt(1)).default([0.1]),
  learningRate: learningRates.default([0.01]),
  l2: l2Values.default([0.0001]),
  epochs: epochValues.default([60]),
  batchSize: batchSizes.default([64]),
});

export const ModelSearchSchema = z.discriminatedUnion('family', [LogisticRegressionSearchSchema, MlpSearchSchema]);
export type ModelSearch = z.infer<typeof ModelSearchSchema>;
export type ModelFamily = ModelSearch['family'];

const ResourcesSchema = z.strictObject({
  device: z.enum(['cpu', 'gpu']).default('cpu'),
  /** How long a trial may wait for a GPU worker before the fallback applies. */
  gpuScheduleTimeout: duration('1s', '7d').default('10m'),
  onGpuUnavailable: z.enum(['fallback_cpu', 'fail']).default('fallback_cpu'),
});

const TrainingSchema = z.strictObject({
  models: nonEmptyList(ModelSearchSchema),
  search: z
    .strictObject({
      strategy: z.enum(['grid', 'random']).default('grid'),
      maxTrials: z.number().int().min(1).max(200).default(8),
      seed: z.number().int().default(7),
    })
    .default({ strategy: 'grid', maxTrials: 8, seed: 7 }),
  /** Trials are ranked on this validation metric. */
  selectionMetric: MetricNameSchema.default('auc'),
  /** Stop a trial when the validation loss has not improved for this many epochs; 0 turns it off. */
  earlyStoppingPatience: z.number().int().min(0).default(15),
  /** Trials running at once. */
  parallelism: z.number().int().min(1).max(64).default(4),
  resources: ResourcesSchema.default({
    device: 'cpu',
    gpuScheduleTimeout: '10m',
    onGpuUnavailable: 'fallback_cpu',
  }),
});

const GateSchema = z
  .strictObject({
    metric: MetricNameSchema,
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .refine((g) => g.min !== undefined || g.max !== undefined, {
    message: 'a gate needs min, max or both',
    path: ['min'],
  })
  .refine((g) => g.min === undefined || g.max === undefined || g.min <= g.max, {
    message: 'must not be greater than max, or no model can pass the gate',
    path: ['min'],
  });
export type QualityGate = z.infer<typeof GateSchema>;

const EvaluationSchema = z.strictObject({
  /** Probability at or above which a row is predicted positive. */
  threshold: z.number().gt(0).lt(1).default(0.5),
  gates: z.array(GateSchema).default([{ metric: 'auc', min: 0.7 }]),
});

const ApprovalSchema = z.strictObject({
  /** How long the workflow waits for a decision before the candidate expires. */
  timeout: duration('1m', '365d').default('72h'),
  /** When set, only these approver names are accepted. */
  approvers: z.array(z.string().min(1)).min(1).optional(),
});

const MonitoringSchema = z.strictObject({
  interval: duration('1m', '30d').default('1h'),
  psiBins: z.number().int().min(2).max(100).default(10),
  /** A feature whose PSI reaches this value raises a drift alert. */
  psiAlertThreshold: z.number().positive().default(0.2),
  /** A check with fewer logged predictions records nothing but the count. */
  minPredictions: z.number().int().min(1).default(30),
  /** Checks per workflow run before it continues as new with the same state. */
  checksPerRun: z.number().int().min(1).max(1_000).default(100),
});

/** A project spec as submitted (YAML or JSON), after defaults are applied. */
export const ProjectSpecSchema = z.strictObject({
  apiVersion: z.literal('fullcycle/v1').default('fullcycle/v1'),
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'must be 3-63 lowercase letters, digits or dashes'),
  description: z.string().max(2_000).default(''),
  owner: z.string().max(200).default(''),
  task: z.literal('binary_classification').default('binary_classification'),
  data: DataSchema,
  training: TrainingSchema,
  evaluation: EvaluationSchema.default({ threshold: 0.5, gates: [{ metric: 'auc', min: 0.7 }] }),
  approval: ApprovalSchema.default({ timeout: '72h' }),
  monitoring: MonitoringSchema.default({
    interval: '1h',
    psiBins: 10,
    psiAlertThreshold: 0.2,
    minPredictions: 30,
    checksPerRun: 100,
  }),
});

export type ProjectSpec = z.infer<typeof ProjectSpecSchema>;
export type ProjectSpecInput = z.input<typeof ProjectSpecSchema>;
