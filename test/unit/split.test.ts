import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stratifiedSplit } from '../../core/split.js';
import type { SplitIndices } from '../../core/types.js';

const RATIOS = { train: 0.6, validation: 0.2, test: 0.2 };

function germanLabels(): number[] {
  const text = readFileSync(
    new URL('../../examples/credit-scoring/german_credit.data', import.meta.url),
    'utf8',
  );
  return text
    .trim()
    .split('\n')
    .map((line) => (line.endsWith(' 2') ? 1 : 0));
}

function positivesIn(rows: number[], labels: number[]): number {
  return rows.filter((row) => labels[row] === 1).length;
}

function classCounts(
  split: SplitIndices,
  labels: number[],
): Record<keyof SplitIndices, [number, number]> {
  const count = (rows: number[]): [number, number] => [
    rows.length - positivesIn(rows, labels),
    positivesIn(rows, labels),
  ];
  return {
    train: count(split.train),
    validation: count(split.validation),
    test: count(split.test),
  };
}

describe('stratifiedSplit', () => {
  const labels = germanLabels();

  it('keeps class shares in every split', () => {
    // 700 negatives and 300 positives at 0.6/0.2/0.2 divide exactly: 420/140/140 and 180/60/60.
    expect(classCounts(stratifiedSplit(labels, RATIOS, 42), labels)).toEqual({
      train: [420, 180],
      validation: [140, 60],
      test: [140, 60],
    });
  });

  it('puts every row in exactly one split', () => {
    const split = stratifiedSplit(labels, RATIOS, 42);
    const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b);
    expect(all).toEqual(labels.map((_, i) => i));
  });

  it('returns ascending indices', () => {
    const split = stratifiedSplit(labels, RATIOS, 42);
    for (const rows of [split.train, split.validation, split.test]) {
      expect(rows).toEqual([...rows].sort((a, b) => a - b));
    }
  });

  it('repeats for the same seed', () => {
    expect(stratifiedSplit(labels, RATIOS, 7)).toEqual(stratifiedSplit(labels, RATIOS, 7));
  });

  it('differs for another seed', () => {
    expect(stratifiedSplit(labels, RATIOS, 7).test).not.toEqual(
      stratifiedSplit(labels, RATIOS, 8).test,
    );
  });

  it('rounds by largest remainder', () => {
    // 10 rows at 0.7/0.15/0.15 are 7, 1.5, 1.5: the floors 7, 1, 1 leave one row, which goes to the
    // first of the tied remainders, validation.
    const split = stratifiedSplit(
      new Array<number>(10).fill(0),
      { train: 0.7, validation: 0.15, test: 0.15 },
      1,
    );
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([7, 2, 1]);
  });

  it('gives each split a row of a small class', () => {
    // 3 positives at 0.8/0.1/0.1 would round to 3, 0, 0.
    const small = [...new Array<number>(97).fill(0), 1, 1, 1];
    const counts = classCounts(
      stratifiedSplit(small, { train: 0.8, validation: 0.1, test: 0.1 }, 3),
      small,
    );
    expect(counts.train[1]).toBe(1);
    expect(counts.validation[1]).toBe(1);
    expect(counts.test[1]).toBe(1);
    expect(counts.train[0] + counts.validation[0] + counts.test[0]).toBe(97);
  });

  it('leaves a two-row class short', () => {
    // 2 rows at 0.6/0.2/0.2 are 1.2, 0.4, 0.4, so train and validation get one each.
    const few = [0, 0, 0, 0, 0, 1, 1];
    const split = stratifiedSplit(few, RATIOS, 5);
    expect(positivesIn(split.train, few)).toBe(1);
    expect(positivesIn(split.validation, few)).toBe(1);
    expect(positivesIn(split.test, few)).toBe(0);
  });

  it('rejects empty labels', () => {
    expect(() => stratifiedSplit([], RATIOS, 1)).toThrow(
      new RangeError('cannot split: labels is empty. Pass one label per data set row.'),
    );
  });

  it('rejects ratios that do not sum to 1', () => {
    expect(() => stratifiedSplit([0, 1], { train: 0.6, validation: 0.3, test: 0.2 }, 1)).toThrow(
      new RangeError(
        'invalid split ratios {"train":0.6,"validation":0.3,"test":0.2}: ' +
          'train, validation and test must each be in (0, 1) and sum to 1',
      ),
    );
  });
});
