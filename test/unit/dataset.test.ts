import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDelimited, type ParsedTable } from '../../core/csv.js';
import {
  buildTypedDataset,
  canonicalDatasetJson,
  DataValidationError,
  parseNumericText,
  type DatasetSpec,
} from '../../core/dataset.js';
import type { TypedDataset } from '../../core/types.js';

const read = (name: string) =>
  readFileSync(new URL(`../../examples/credit-scoring/${name}`, import.meta.url), 'utf8');
const GERMAN_COLUMNS = read('german_credit.columns.txt').trim().split('\n');

function spec(overrides: Partial<DatasetSpec> = {}): DatasetSpec {
  return {
    target: { column: 'class', positiveClass: '2' },
    schema: {},
    features: { exclude: [] },
    rules: { minRows: 10, maxMissingFraction: 0.5, minRowsPerClass: 2 },
    format: { missingValues: ['', 'NA', '?'] },
    ...overrides,
  };
}

/** Builds 12 rows from line 2: `amount` numeric with one '?', `color` categorical, `class` 1 or 2. */
function smallTable(): ParsedTable {
  const rows = Array.from({ length: 12 }, (_, i) => [
    String(i * 10),
    i % 3 === 0 ? 'red' : 'blue',
    i < 4 ? '2' : '1',
  ]);
  rows[5]![0] = '?';
  return { header: ['amount', 'color', 'class'], rows, lineNumbers: rows.map((_, i) => i + 2) };
}

function thrownBy(action: () => unknown): DataValidationError {
  try {
    action();
  } catch (error) {
    if (error instanceof DataValidationError) return error;
    throw error;
  }
  throw new Error('expected the action to throw a DataValidationError');
}

describe('buildTypedDataset on German credit', () => {
  /*
   * pandas agrees on the counts and types:
   *   df = pd.read_csv('german_credit.data', sep=' ', header=None, names=cols)
   *   len(df) = 1000; (df['class'] == 2).sum() = 300
   *   [c for c in cols[:-1] if df[c].dtype == 'int64']
   *   # duration_months, credit_amount, installment_rate_pct, residence_since,
   *   # age_years, existing_credits, num_dependents
   */
  let ds: TypedDataset;
  beforeAll(() => {
    const parsed = parseDelimited(read('german_credit.data'), {
      delimiter: ' ',
      quote: '"',
      header: false,
      skipLines: 0,
    });
    ds = buildTypedDataset(
      parsed,
      spec({ rules: { minRows: 100, maxMissingFraction: 0.5, minRowsPerClass: 10 } }),
      GERMAN_COLUMNS,
    );
  });

  it('types 1000 rows and 20 features', () => {
    expect(ds.labels).toHaveLength(1000);
    expect(ds.features).toHaveLength(20);
    expect(ds.features.map((column) => column.name)).toEqual(GERMAN_COLUMNS.slice(0, 20));
    expect(ds.target).toEqual({ column: 'class', positiveClass: '2' });
  });

  it('labels class 2 as positive', () => {
    expect(ds.labels.reduce((sum, label) => sum + label, 0)).toBe(300);
    expect(ds.labels.slice(0, 2)).toEqual([0, 1]);
  });

  it('infers numeric and categorical columns', () => {
    expect(
      ds.features.filter((column) => column.type === 'numeric').map((column) => column.name),
    ).toEqual([
      'duration_months',
      'credit_amount',
      'installment_rate_pct',
      'residence_since',
      'age_years',
      'existing_credits',
      'num_dependents',
    ]);
    expect(ds.features[1]!.values[0]).toBe(6);
    expect(ds.features[0]!.values[0]).toBe('A11');
  });

  it('keeps source lines', () => {
    expect(ds.sourceLines[0]).toBe(1);
    expect(ds.sourceLines[999]).toBe(1000);
  });
});

describe('buildTypedDataset', () => {
  it('maps missing values to null', () => {
    const ds = buildTypedDataset(smallTable(), spec(), ['amount', 'color', 'class']);
    expect(ds.features[0]).toMatchObject({ name: 'amount', type: 'numeric' });
    expect(ds.features[0]!.values.slice(4, 7)).toEqual([40, null, 60]);
  });

  it('lets a declared type win', () => {
    const ds = buildTypedDataset(smallTable(), spec({ schema: { amount: 'categorical' } }), [
      'amount',
      'color',
      'class',
    ]);
    expect(ds.features[0]!.type).toBe('categorical');
    expect(ds.features[0]!.values.slice(4, 7)).toEqual(['40', null, '60']);
  });

  it('selects include minus exclude', () => {
    const names = ['amount', 'color', 'class'];
    const included = buildTypedDataset(
      smallTable(),
      spec({ features: { include: ['color'], exclude: [] } }),
      names,
    );
    expect(included.features.map((column) => column.name)).toEqual(['color']);
    const excluded = buildTypedDataset(
      smallTable(),
      spec({ features: { exclude: ['amount'] } }),
      names,
    );
    expect(excluded.features.map((column) => column.name)).toEqual(['color']);
  });

  it('rejects a column missing from the data', () => {
    const error = thrownBy(() =>
      buildTypedDataset(smallTable(), spec({ schema: { income: 'numeric' } }), [
        'amount',
        'color',
        'class',
      ]),
    );
    expect(error.message).toBe(
      'column "income": the column named in data.schema is not in the data (rule columnExists). ' +
        'Use one of the columns: amount, color, class.',
    );
    expect(error.code).toBe('DATA_INVALID');
  });

  it('rejects text in a declared numeric column', () => {
    const schema = { color: 'numeric' } as const;
    const error = thrownBy(() =>
      buildTypedDataset(smallTable(), spec({ schema }), ['amount', 'color', 'class']),
    );
    expect(error).toMatchObject({ column: 'color', line: 2, rule: 'numeric', value: 'red' });
    expect(error.message).toBe(
      'column "color", line 2: value in a numeric column is not a decimal number (rule numeric, got "red"). ' +
        'Fix the value, add it to data.format.missingValues, or declare the column categorical in data.schema.',
    );
  });

  it('names the line of a bad numeric cell', () => {
    const table = smallTable();
    table.rows[7]![0] = '7O';
    const error = thrownBy(() =>
      buildTypedDataset(table, spec({ schema: { amount: 'numeric' } }), [
        'amount',
        'color',
        'class',
      ]),
    );
    expect(error).toMatchObject({ column: 'amount', line: 9, rule: 'numeric', value: '7O' });
  });

  it('rejects a target with three values', () => {
    const table = smallTable();
    table.rows[0]![2] = '3';
    const error = thrownBy(() => buildTypedDataset(table, spec(), ['amount', 'color', 'class']));
    expect(error.message).toBe(
      'column "class": the target must have exactly two values, one of them positiveClass "2" ' +
        '(rule binaryTarget, got ["1","2","3"]). ' +
        'Set data.target.positiveClass to one of the values found, or recode the target to two classes.',
    );
  });

  it('rejects an absent positive class', () => {
    const error = thrownBy(() =>
      buildTypedDataset(smallTable(), spec({ target: { column: 'class', positiveClass: 'bad' } }), [
        'amount',
        'color',
        'class',
      ]),
    );
    expect(error).toMatchObject({ column: 'class', rule: 'positiveClass', value: ['1', '2'] });
  });

  it('rejects a missing target', () => {
    const table = smallTable();
    table.rows[3]![2] = 'NA';
    const error = thrownBy(() => buildTypedDataset(table, spec(), ['amount', 'color', 'class']));
    expect(error).toMatchObject({ column: 'class', line: 5, rule: 'targetComplete', value: 'NA' });
  });

  it('rejects too few rows', () => {
    const rules = { minRows: 20, maxMissingFraction: 0.5, minRowsPerClass: 2 };
    const error = thrownBy(() =>
      buildTypedDataset(smallTable(), spec({ rules }), ['amount', 'color', 'class']),
    );
    expect(error.message).toBe(
      'data set: the data set has 12 row(s), fewer than data.rules.minRows (20) (rule minRows, got 12). ' +
        'Add rows or lower data.rules.minRows.',
    );
  });

  it('rejects a small class', () => {
    const rules = { minRows: 10, maxMissingFraction: 0.5, minRowsPerClass: 5 };
    const error = thrownBy(() =>
      buildTypedDataset(smallTable(), spec({ rules }), ['amount', 'color', 'class']),
    );
    expect(error).toMatchObject({ column: 'class', rule: 'minRowsPerClass', value: 4 });
    expect(error.message).toContain(
      'class "2" has 4 row(s), fewer than data.rules.minRowsPerClass (5)',
    );
  });

  it('rejects a column with too many missing values', () => {
    const rules = { minRows: 10, maxMissingFraction: 0.05, minRowsPerClass: 2 };
    const error = thrownBy(() =>
      buildTypedDataset(smallTable(), spec({ rules }), ['amount', 'color', 'class']),
    );
    expect(error).toMatchObject({ column: 'amount', rule: 'maxMissingFraction', value: 1 / 12 });
    expect(error.message).toContain(
      '1 of 12 values are missing, above data.rules.maxMissingFraction (0.05)',
    );
  });

  it('rejects the target as a feature', () => {
    const features = { include: ['color', 'class'], exclude: [] };
    const error = thrownBy(() =>
      buildTypedDataset(smallTable(), spec({ features }), ['amount', 'color', 'class']),
    );
    expect(error).toMatchObject({ column: 'class', rule: 'targetNotFeature' });
  });

  it('rejects duplicate column names', () => {
    const error = thrownBy(() =>
      buildTypedDataset(smallTable(), spec(), ['amount', 'amount', 'class']),
    );
    expect(error).toMatchObject({ column: 'amount', rule: 'uniqueColumns' });
  });

  it('rejects names that do not match the field count', () => {
    const error = thrownBy(() => buildTypedDataset(smallTable(), spec(), ['amount', 'class']));
    expect(error).toMatchObject({ line: 2, rule: 'fieldCount', value: 3 });
    expect(error.message).toContain('rows have 3 field(s) but 2 column names were given');
  });
});

describe('canonicalDatasetJson', () => {
  it('is identical for equal data sets', () => {
    const first = buildTypedDataset(smallTable(), spec(), ['amount', 'color', 'class']);
    const second = buildTypedDataset(smallTable(), spec(), ['amount', 'color', 'class']);
    const reordered: TypedDataset = {
      target: { positiveClass: '2', column: 'class' },
      sourceLines: second.sourceLines,
      labels: second.labels,
      features: second.features,
    };
    expect(canonicalDatasetJson(reordered)).toBe(canonicalDatasetJson(first));
    expect(
      canonicalDatasetJson(first).startsWith(
        '{"target":{"column":"class","positiveClass":"2"},"features":[',
      ),
    ).toBe(true);
  });

  it('changes when a value changes', () => {
    const table = smallTable();
    const before = canonicalDatasetJson(
      buildTypedDataset(table, spec(), ['amount', 'color', 'class']),
    );
    table.rows[0]![1] = 'green';
    expect(
      canonicalDatasetJson(buildTypedDataset(table, spec(), ['amount', 'color', 'class'])),
    ).not.toBe(before);
  });
});

describe('parseNumericText', () => {
  it.each([
    ['12', 12],
    [' -0.5 ', -0.5],
    ['1e3', 1000],
    ['.5', 0.5],
    ['0x10', null],
    ['Infinity', null],
    ['', null],
    ['1,000', null],
  ])('reads %j as %j', (text, expected) => {
    expect(parseNumericText(text)).toBe(expected);
  });
});
