import { readFileSync } from 'node:fs';
import { parseDelimited } from '../../core/csv.js';
import { buildTypedDataset } from '../../core/dataset.js';
import type { TypedDataset } from '../../core/types.js';

/** Loads the German credit example as a typed data set, class 2 (bad) as the positive class, all columns inferred. */
export function loadGermanCredit(): TypedDataset {
  const read = (name: string) =>
    readFileSync(new URL(`../../examples/credit-scoring/${name}`, import.meta.url), 'utf8');
  const parsed = parseDelimited(read('german_credit.data'), {
    delimiter: ' ',
    quote: '"',
    header: false,
    skipLines: 0,
  });
  return buildTypedDataset(
    parsed,
    {
      target: { column: 'class', positiveClass: '2' },
      schema: {},
      features: { exclude: [] },
      rules: { minRows: 100, maxMissingFraction: 0.5, minRowsPerClass: 10 },
      format: { missingValues: ['', 'NA', 'N/A', 'null', '?'] },
    },
    read('german_credit.columns.txt').trim().split('\n'),
  );
}
