import type { FeatureColumn, TypedDataset } from './types.js';

export type FeatureRecord = Record<string, string | number | null>;

/** Returns the raw feature values of the given rows as one record per row, as a client would send them. */
export function recordsAt(dataset: TypedDataset, indices: readonly number[]): FeatureRecord[] {
  return indices.map((row) => {
    const record: FeatureRecord = {};
    for (const column of dataset.features) record[column.name] = column.values[row] ?? null;
    return record;
  });
}

/** Returns the feature columns restricted to the given rows, in the same column order. */
export function columnsAt(dataset: TypedDataset, indices: readonly number[]): FeatureColumn[] {
  return dataset.features.map((column): FeatureColumn => {
    if (column.type === 'numeric') {
      return {
        name: column.name,
        type: 'numeric',
        values: indices.map((row) => column.values[row] ?? null),
      };
    }
    return {
      name: column.name,
      type: 'categorical',
      values: indices.map((row) => column.values[row] ?? null),
    };
  });
}
