import { describe, expect, it } from 'vitest';

import { ValidationError, type FieldIssue } from '../../core/errors.js';
import { columnsForOnnx, validatePredictionRows } from '../../core/prediction-input.js';
import type { FittedPreprocessor } from '../../core/types.js';

const pre: FittedPreprocessor = {
  inputOrder: [
    { name: 'duration_months', type: 'numeric' },
    { name: 'purpose', type: 'categorical' },
    { name: 'installment_rate', type: 'categorical' },
  ],
  numeric: [{ name: 'duration_months', imputeValue: 18, mean: 20.9, std: 12.1, clipMin: null, clipMax: null }],
  categorical: [
    { name: 'purpose', categories: ['car', 'radio_tv', 'furniture'], imputeValue: 'car' },
    { name: 'installment_rate', categories: ['4', '2', '3', '1'], imputeValue: '4' },
  ],
  encodedNames: [
    'duration_months',
    'purpose=car',
    'purpose=radio_tv',
    'purpose=furniture',
    'installment_rate=4',
    'installment_rate=2',
    'installment_rate=3',
    'installment_rate=1',
  ],
};

const validRow = { duration_months: 12, purpose: 'car', installment_rate: '4' };
const options = { maxRows: 3 };

function issuesOf(rows: unknown, preprocessor = pre): FieldIssue[] {
  try {
    validatePredictionRows(rows, preprocessor, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected validatePredictionRows to throw');
}

describe('validatePredictionRows accepts', () => {
  it('valid rows unchanged', () => {
    const { records } = validatePredictionRows([validRow], pre, options);

    expect(records).toEqual([validRow]);
  });

  it('null as a missing value', () => {
    const row = { duration_months: null, purpose: null, installment_rate: null };

    expect(validatePredictionRows([row], pre, options).records).toEqual([row]);
  });

  it('a number whose string form is a level', () => {
    const { records } = validatePredictionRows([{ ...validRow, installment_rate: 2 }], pre, options);

    expect(records[0]?.installment_rate).toBe('2');
  });
});

describe('validatePredictionRows rejects', () => {
  it.each([
    ['a missing rows field', undefined, { path: 'rows', message: 'is required: send an array of row objects' }],
    ['rows that are not an array', { a: 1 }, { path: 'rows', value: { a: 1 }, message: 'must be an array of row objects' }],
    ['an empty rows array', [], { path: 'rows', value: [], message: 'must contain at least one row' }],
    [
      'more rows than maxRows',
      [validRow, validRow, validRow, validRow],
      { path: 'rows', value: 4, message: 'must contain at most 3 rows; send larger batches in several requests' },
    ],
  ])('%s', (_case, rows, issue) => {
    expect(issuesOf(rows)).toEqual([issue]);
  });

  it('a row that is not an object', () => {
    expect(issuesOf([validRow, 'x'])).toEqual([
      { path: 'rows.1', value: 'x', message: 'must be an object that maps each feature name to its value' },
    ]);
  });

  it('a row that is an array', () => {
    expect(issuesOf([[1, 2]])).toEqual([
      { path: 'rows.0', value: [1, 2], message: 'must be an object that maps each feature name to its value' },
    ]);
  });

  it('an absent feature', () => {
    const { purpose: _omitted, ...row } = validRow;

    expect(issuesOf([validRow, row])).toEqual([
      { path: 'rows.1.purpose', message: 'is required; send null when the value is unknown' },
    ]);
  });

  it('a numeric string', () => {
    expect(issuesOf([{ ...validRow, duration_months: '12' }])).toEqual([
      {
        path: 'rows.0.duration_months',
        value: '12',
        message: 'must be a JSON number, not a string; send 12 without quotes',
      },
    ]);
  });

  it.each([
    ['text', 'twelve'],
    ['a boolean', true],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('%s in a numeric feature', (_case, value) => {
    expect(issuesOf([{ ...validRow, duration_months: value }])).toEqual([
      { path: 'rows.0.duration_months', value, message: 'must be a finite number, or null when the value is unknown' },
    ]);
  });

  it('an unknown level, naming the allowed levels', () => {
    expect(issuesOf([{ ...validRow, purpose: 'boat' }])).toEqual([
      {
        path: 'rows.0.purpose',
        value: 'boat',
        message: 'must be one of the training levels "car", "radio_tv", "furniture", or null when the value is unknown',
      },
    ]);
  });

  it('a number that is not a level', () => {
    expect(issuesOf([{ ...validRow, installment_rate: 7 }])).toEqual([
      {
        path: 'rows.0.installment_rate',
        value: 7,
        message: 'must be one of the training levels "4", "2", "3", "1", or null when the value is unknown',
      },
    ]);
  });

  it('a non-string categorical value', () => {
    expect(issuesOf([{ ...validRow, purpose: { level: 'car' } }])).toEqual([
      {
        path: 'rows.0.purpose',
        value: { level: 'car' },
        message: 'must be a string, one of the training levels "car", "radio_tv", "furniture", or null',
      },
    ]);
  });

  it('an unknown level among many', () => {
    const levels = Array.from({ length: 25 }, (_, i) => `L${i}`);
    const manyLevels: FittedPreprocessor = {
      inputOrder: [{ name: 'code', type: 'categorical' }],
      numeric: [],
      categorical: [{ name: 'code', categories: levels, imputeValue: 'L0' }],
      encodedNames: levels.map((level) => `code=${level}`),
    };
    const listed = levels.slice(0, 20).map((level) => `"${level}"`).join(', ');

    expect(issuesOf([{ code: 'L99' }], manyLevels)).toEqual([
      {
        path: 'rows.0.code',
        value: 'L99',
        message: `must be one of the training levels ${listed} and 5 more, or null when the value is unknown`,
      },
    ]);
  });

  it('an extra field', () => {
    expect(issuesOf([{ ...validRow, age: 30 }])).toEqual([
      {
        path: 'rows.0.age',
        value: 30,
        message: 'is not an input feature of this model; expected only "duration_months", "purpose", "installment_rate"',
      },
    ]);
  });

  it('every problem of every row at once', () => {
    const issues = issuesOf([
      { duration_months: '5', purpose: 'boat', installment_rate: '4' },
      validRow,
      { purpose: 'car', installment_rate: '9' },
    ]);

    expect(issues.map((issue) => issue.path)).toEqual([
      'rows.0.duration_months',
      'rows.0.purpose',
      'rows.2.duration_months',
      'rows.2.installment_rate',
    ]);
  });

  it('at most 100 listed issues', () => {
    const rows = Array.from({ length: 60 }, () => ({ duration_months: 'x', purpose: 'boat', installment_rate: '4' }));
    let issues: FieldIssue[] = [];
    try {
      validatePredictionRows(rows, pre, { maxRows: 100 });
    } catch (error) {
      issues = (error as ValidationError).issues;
    }

    expect(issues).toHaveLength(101);
    expect(issues[100]).toEqual({ path: 'rows', message: 'has 20 more issues not listed' });
  });

  it('with path and value in message', () => {
    expect(() => validatePredictionRows([{ ...validRow, duration_months: '12' }], pre, options)).toThrow(
      'prediction request is invalid: rows.0.duration_months: must be a JSON number, not a string; send 12 without quotes (got "12")',
    );
  });
});

describe('columnsForOnnx', () => {
  it('builds one typed column per feature in row order', () => {
    const columns = columnsForOnnx(
      [
        { duration_months: 12, purpose: 'radio_tv', installment_rate: '2' },
        { duration_months: 30, purpose: 'car', installment_rate: '1' },
      ],
      pre,
    );

    expect(columns).toEqual({
      duration_months: { type: 'float32', data: Float32Array.from([12, 30]) },
      purpose: { type: 'string', data: ['radio_tv', 'car'] },
      installment_rate: { type: 'string', data: ['2', '1'] },
    });
  });

  it('maps a missing numeric value to NaN', () => {
    const columns = columnsForOnnx([{ duration_months: null, purpose: 'car', installment_rate: '4' }], pre);

    expect(columns.duration_months?.data[0]).toBeNaN();
  });

  it('maps a missing categorical value to its impute level', () => {
    const columns = columnsForOnnx([{ duration_months: 1, purpose: null, installment_rate: null }], pre);

    expect(columns.purpose?.data).toEqual(['car']);
    expect(columns.installment_rate?.data).toEqual(['4']);
  });

  it('rejects an unvalidated numeric string', () => {
    expect(() => columnsForOnnx([{ duration_months: '12', purpose: 'car', installment_rate: '4' }], pre)).toThrow(
      TypeError,
    );
  });
});
