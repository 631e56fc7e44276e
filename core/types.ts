import type { MetricName, ModelFamily } from './spec.js';

/** A content-addressed file in the artifact store. */
export interface ArtifactRef {
  /** `artifact://sha256/<hex>`, resolvable by any ArtifactStore. */
  uri: string;
  sha256: string;
  sizeBytes: number;
  mediaType: string;
}

export type ColumnType = 'numeric' | 'categorical';

/** A feature column after type validation; null marks a missing cell. */
export type FeatureColumn =
  | { name: string; type: 'numeric'; values: (number | null)[] }
  | { name: string; type: 'categorical'; values: (string | null)[] };

/** A validated, typed data set: feature columns, a 0/1 label per row and each row's source line. */
export interface TypedDataset {
  features: FeatureColumn[];
  /** 1 for the positive class, 0 otherwise. */
  labels: number[];
  /** 1-based line number of each row in the source file, for error messages. */
  sourceLines: number[];
  target: { column: string; positiveClass: string };
}

/** Row indices into a TypedDataset for each split. */
export interface SplitIndices {
  train: number[];
  validation: number[];
  test: number[];
}

export interface NumericTransform {
  name: string;
  /** Value used for a missing cell, fitted on the training split. */
  imputeValue: number;
  mean: number;
  /** Standard deviation; 1 when the training values are constant. */
  std: number;
  clipMin: number | null;
  clipMax: number | null;
}

export interface CategoricalTransform {
  name: string;
  /** Levels seen in the training split, in one-hot column order. */
  categories: string[];
  /** Level used for a missing cell: the most frequent training level. */
  imputeValue: string;
}

/** Preprocessing fitted on the training split; applied the same way in training, ONNX and serving. */
export interface FittedPreprocessor {
  /** Input features in the order the model expects them. */
  inputOrder: { name: string; type: ColumnType }[];
  numeric: NumericTransform[];
  categorical: CategoricalTransform[];
  /** Names of the encoded columns, numerics first then one-hot levels as `column=level`. */
  encodedNames: string[];
}

/** A dense row-major matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** Per-column statistics of the data set. */
export interface ColumnProfile {
  name: string;
  type: ColumnType;
  count: number;
  missing: number;
  distinct: number;
  numeric?: {
    min: number;
    max: number;
    mean: number;
    std: number;
    p25: number;
    median: number;
    p75: number;
    histogram: { edges: number[]; counts: number[] };
  };
  categorical?: {
    /** Most frequent levels first, with the positive-class rate among their rows. */
    levels: { value: string; count: number; positiveRate: number }[];
  };
  /** Findings worth a look, such as a constant column or a dominant level. */
  anomalies: string[];
}

export interface DataProfile {
  rows: number;
  positives: number;
  positiveRate: number;
  columns: ColumnProfile[];
}

export type TrialParams =
  | {
      family: 'logistic_regression';
      learningRate: number;
      l2: number;
      epochs: number;
      batchSize: number;
    }
  | {
      family: 'mlp';
      hiddenUnits: number[];
      dropout: number;
      learningRate: number;
      l2: number;
      epochs: number;
      batchSize: number;
    };

/** One point of the hyperparameter search. */
export interface TrialPlan {
  trialId: string;
  params: TrialParams;
  seed: number;
}

/** A fully connected layer; `weights` is inputs x units, row-major. */
export interface DenseLayer {
  inputs: number;
  units: number;
  weights: number[];
  bias: number[];
  activation: 'relu' | 'sigmoid' | 'linear';
}

/** A trained feed-forward model, independent of the framework that trained it. */
export interface DenseModel {
  family: ModelFamily;
  layers: DenseLayer[];
}

export type Metrics = Record<MetricName, number> & {
  threshold: number;
  rows: number;
  positives: number;
};

export interface GateResult {
  metric: MetricName;
  value: number;
  min?: number;
  max?: number;
  passed: boolean;
}

/** Population stability index of one feature between a reference and a current sample. */
export interface FeatureDrift {
  feature: string;
  type: ColumnType;
  psi: number;
  /** Bin labels with the reference and current shares, for the report. */
  bins: { label: string; reference: number; current: number }[];
}
