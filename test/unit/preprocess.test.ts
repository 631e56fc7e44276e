import { beforeAll, describe, expect, it } from 'vitest';
import { DataValidationError } from '../../core/dataset.js';
import {
  fitPreprocessor,
  transformRecords,
  transformRows,
  type InputRecord,
} from '../../core/preprocess.js';
import type { FeatureColumn, FittedPreprocessor, TypedDataset } from '../../core/types.js';
import { loadGermanCredit } from '../support/german-credit.js';

/*
 * Reference values come from numpy 2.4.6 and pandas 3.1.1, with rows i % 5 < 3 (600) as
 * the training split, median imputation and clipQuantile 0.05:
 *
 *   train = df[np.arange(len(df)) % 5 < 3]
 *   x = train[col].to_numpy(float)
 *   lo, hi = np.quantile(x, [0.05, 0.95]); xc = np.clip(x, lo, hi)
 *   np.median(x), lo, hi, xc.mean(), xc.std()   # std with ddof=0
 *   vc = train.purpose.value_counts(); sorted(vc.index, key=lambda v: (-vc[v], v))
 */
const GERMAN_NUMERIC = {
  duration_months: {
    imputeValue: 18,
    clipMin: 6,
    clipMax: 48,
    mean: 20.525,
    std: 11.5224147498112,
  },
  credit_amount: {
    imputeValue: 2278.5,
    clipMin: 716.6,
    clipMax: 9271.3,
    mean: 3144.83,
    std: 2406.932010243192,
  },
  age_years: {
    imputeValue: 33,
    clipMin: 22,
    clipMax: 57,
    mean: 34.65833333333333,
    std: 9.984567953708474,
  },
};
const PURPOSE_LEVELS = ['A43', 'A40', 'A42', 'A41', 'A49', 'A46', 'A45', 'A410', 'A44', 'A48'];
const OPTIONS = { numericImpute: 'median', clipQuantile: 0.05 } as const;

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

function smallDataset(features: FeatureColumn[]): TypedDataset {
  const rows = features[0]!.values.length;
  return {
    features,
    labels: Array.from({ length: rows }, (_, i) => i % 2),
    sourceLines: Array.from({ length: rows }, (_, i) => i + 1),
    target: { column: 'y', positiveClass: '1' },
  };
}

describe('fitPreprocessor on German credit', () => {
  let ds: TypedDataset;
  let train: number[];
  let pre: FittedPreprocessor;
  beforeAll(() => {
    ds = loadGermanCredit();
    train = ds.labels.map((_, i) => i).filter((i) => i % 5 < 3);
    pre = fitPreprocessor(ds, train, OPTIONS);
  });

  it('fits numerics like numpy', () => {
    for (const [name, expected] of Object.entries(GERMAN_NUMERIC)) {
      const fitted = pre.numeric.find((transform) => transform.name === name)!;
      expect(fitted.imputeValue, name).toBeCloseTo(expected.imputeValue, 9);
      expect(fitted.clipMin, name).toBeCloseTo(expected.clipMin, 9);
      expect(fitted.clipMax, name).toBeCloseTo(expected.clipMax, 9);
      expect(fitted.mean, name).toBeCloseTo(expected.mean, 9);
      expect(fitted.std, name).toBeCloseTo(expected.std, 9);
    }
  });

  it('orders levels by training frequency', () => {
    const purpose = pre.categorical.find((transform) => transform.name === 'purpose')!;
    expect(purpose.categories).toEqual(PURPOSE_LEVELS);
    expect(purpose.imputeValue).toBe('A43');
  });

  it('names numerics first, then levels', () => {
    expect(pre.inputOrder.map((input) => input.name)).toEqual(
      ds.features.map((column) => column.name),
    );
    expect(pre.encodedNames.slice(0, 7)).toEqual([
      'duration_months',
      'credit_amount',
      'installment_rate_pct',
      'residence_since',
      'age_years',
      'existing_credits',
      'num_dependents',
    ]);
    expect(pre.encodedNames[7]).toBe('checking_status=A14');
    expect(pre.encodedNames).toHaveLength(7 + 54);
  });

  it('ignores rows outside the training split', () => {
    // Every non-training row becomes an outlier, a missing value or an unseen level.
    const trainRows = new Set(train);
    const outsider = (i: number) => (i % 2 === 0 ? 1e9 : null);
    const altered: TypedDataset = {
      ...ds,
      features: ds.features.map((column): FeatureColumn => {
        if (column.type === 'numeric') {
          const values = column.values.map((value, i) => (trainRows.has(i) ? value : outsider(i)));
          return { ...column, values };
        }
        return {
          ...column,
          values: column.values.map((value, i) => (trainRows.has(i) ? value : 'UNSEEN')),
        };
      }),
    };
    expect(fitPreprocessor(altered, train, OPTIONS)).toEqual(pre);
  });

  it('encodes a row with the fitted math', () => {
    // Row 4: duration 24, credit_amount 4870, purpose A40.
    const matrix = transformRows(ds, [4], pre);
    const at = (name: string) => matrix.data[pre.encodedNames.indexOf(name)]!;
    expect(matrix.rows).toBe(1);
    expect(matrix.cols).toBe(61);
    expect(at('duration_months')).toBeCloseTo((24 - 20.525) / 11.5224147498112, 5);
    expect(at('credit_amount')).toBeCloseTo((4870 - 3144.83) / 2406.932010243192, 5);
    const purposeBlock = PURPOSE_LEVELS.map((level) => at(`purpose=${level}`));
    expect(purposeBlock).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('clips values beyond the training quantiles', () => {
    const matrix = transformRecords([{ duration_months: 72 }, { duration_months: 1 }], pre);
    expect(matrix.data[0]).toBeCloseTo((48 - 20.525) / 11.5224147498112, 5);
    expect(matrix.data[61]).toBeCloseTo((6 - 20.525) / 11.5224147498112, 5);
  });

  it('encodes records like rows', () => {
    const indices = [0, 4, 17, 998];
    const records = indices.map((row) => {
      const record: InputRecord = {};
      for (const column of ds.features) {
        const value = column.values[row]!;
        record[column.name] = column.type === 'numeric' ? String(value) : value;
      }
      return record;
    });
    expect(transformRecords(records, pre)).toEqual(transformRows(ds, indices, pre));
  });

  it('encodes an unseen level as zeros', () => {
    const matrix = transformRecords([{ purpose: 'A999' }, { purpose: null }], pre);
    const block = (row: number) =>
      PURPOSE_LEVELS.map(
        (level) => matrix.data[row * matrix.cols + pre.encodedNames.indexOf(`purpose=${level}`)],
      );
    expect(block(0)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(block(1)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('fitPreprocessor with missing values', () => {
  /*
   *   x = np.array([1.0, np.nan, 3.0, 10.0, 4.0])           # the training rows
   *   np.nanmedian(x) = 3.5, np.nanmean(x) = 4.5
   *   f = np.where(np.isnan(x), imp, x); lo, hi = np.quantile(f, [0.1, 0.9]); fc = np.clip(f, lo, hi)
   *   median: lo 1.8, hi 7.6000000000000005, fc.mean() 3.9800000000000004, fc.std() 1.9518196638009364
   *   mean:   lo 1.8, hi 7.800000000000001,  fc.mean() 4.220000000000001,  fc.std() 2.0143485299222674
   */
  const ds = smallDataset([
    { name: 'amount', type: 'numeric', values: [1, null, 3, 10, 4, 500, null] },
    {
      name: 'color',
      type: 'categorical',
      values: ['red', 'blue', null, 'blue', 'red', 'green', null],
    },
  ]);
  const train = [0, 1, 2, 3, 4];

  it.each([
    ['median', 3.5, 1.8, 7.6000000000000005, 3.9800000000000004, 1.9518196638009364],
    ['mean', 4.5, 1.8, 7.800000000000001, 4.220000000000001, 2.0143485299222674],
  ] as const)('imputes with the %s', (numericImpute, imputeValue, clipMin, clipMax, mean, std) => {
    const [fitted] = fitPreprocessor(ds, train, { numericImpute, clipQuantile: 0.1 }).numeric;
    expect(fitted!.imputeValue).toBeCloseTo(imputeValue, 12);
    expect(fitted!.clipMin).toBeCloseTo(clipMin, 12);
    expect(fitted!.clipMax).toBeCloseTo(clipMax, 12);
    expect(fitted!.mean).toBeCloseTo(mean, 12);
    expect(fitted!.std).toBeCloseTo(std, 12);
  });

  it('skips clipping at clipQuantile 0', () => {
    const [fitted] = fitPreprocessor(ds, train, {
      numericImpute: 'median',
      clipQuantile: 0,
    }).numeric;
    expect(fitted!.clipMin).toBeNull();
    expect(fitted!.clipMax).toBeNull();
  });

  it('fills missing cells with the fitted values', () => {
    const pre = fitPreprocessor(ds, train, { numericImpute: 'median', clipQuantile: 0 });
    // Levels tie at 2 (blue, red), so value order puts blue first and makes it the impute level.
    expect(pre.categorical[0]!.categories).toEqual(['blue', 'red']);
    const matrix = transformRows(ds, [6], pre);
    // Imputed training values [1, 3.5, 3, 10, 4]: np.mean 4.3, np.std 3.026549190084311.
    expect(matrix.data[0]).toBeCloseTo((3.5 - 4.3) / 3.026549190084311, 6);
    expect(Array.from(matrix.data.slice(1))).toEqual([1, 0]);
  });

  it('sets std 1 for a constant column', () => {
    const constant = smallDataset([{ name: 'flag', type: 'numeric', values: [0.1, 0.1, 0.1, 7] }]);
    const [fitted] = fitPreprocessor(constant, [0, 1, 2], {
      numericImpute: 'mean',
      clipQuantile: 0,
    }).numeric;
    expect(fitted!.std).toBe(1);
    expect(fitted!.mean).toBe(0.1);
  });
});

describe('preprocess errors', () => {
  const ds = smallDataset([
    { name: 'amount', type: 'numeric', values: [null, null, 3] },
    { name: 'color', type: 'categorical', values: ['red', 'blue', 'red'] },
  ]);

  it('rejects a feature missing in every training row', () => {
    const error = thrownBy(() => fitPreprocessor(ds, [0, 1], OPTIONS));
    expect(error).toBeInstanceOf(DataValidationError);
    expect((error as DataValidationError).message).toBe(
      'column "amount": every value in the training split is missing, so nothing can be fitted ' +
        '(rule trainingValues). Exclude the column in data.features.exclude or fill its missing values.',
    );
  });

  it('rejects an empty training split', () => {
    expect(() => fitPreprocessor(ds, [], OPTIONS)).toThrow(
      new RangeError(
        'cannot fit preprocessing: trainIdx has no rows. Pass at least one training row.',
      ),
    );
  });

  it('rejects a non-numeric record value', () => {
    const pre = fitPreprocessor(ds, [1, 2], OPTIONS);
    const error = thrownBy(() => transformRecords([{ amount: 2 }, { amount: 'twelve' }], pre));
    expect(error).toBeInstanceOf(DataValidationError);
    expect(error).toMatchObject({ column: 'amount', line: 2, rule: 'numeric', value: 'twelve' });
  });

  it('rejects a data set without a fitted feature', () => {
    const pre = fitPreprocessor(ds, [1, 2], OPTIONS);
    const other = smallDataset([{ name: 'color', type: 'categorical', values: ['red'] }]);
    expect(() => transformRows(other, [0], pre)).toThrow(
      new Error(
        'cannot transform rows: feature "amount" is not in the data set. ' +
          'Transform a data set with the columns and types the preprocessor was fitted on.',
      ),
    );
  });
});
