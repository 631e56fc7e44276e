import { describe, expect, it } from 'vitest';

import { planTrials } from '../../core/search.js';
import { ProjectSpecSchema, type ProjectSpec } from '../../core/spec.js';

type TrainingInput = Parameters<typeof ProjectSpecSchema.shape.training.parse>[0];

function training(input: TrainingInput): ProjectSpec['training'] {
  return ProjectSpecSchema.shape.training.parse(input);
}

const twoFamilies = (strategy: 'grid' | 'random', maxTrials: number, seed = 7) =>
  training({
    models: [
      { family: 'logistic_regression', learningRate: [0.1, 0.01], l2: [0, 0.001] },
      { family: 'mlp', hiddenUnits: [[8], [16, 8]], dropout: [0, 0.2], learningRate: [0.01] },
    ],
    search: { strategy, maxTrials, seed },
  });

describe('planTrials grid', () => {
  it('expands every combination', () => {
    const plan = planTrials(twoFamilies('grid', 200));

    expect(plan).toHaveLength(4 + 4);
    expect(plan.filter((t) => t.params.family === 'logistic_regression')).toHaveLength(4);
    expect(plan.filter((t) => t.params.family === 'mlp')).toHaveLength(4);
  });

  it('orders points round-robin', () => {
    const plan = planTrials(twoFamilies('grid', 200));

    expect(plan.map((t) => t.trialId)).toEqual([
      'lr-01',
      'mlp-01',
      'lr-02',
      'mlp-02',
      'lr-03',
      'mlp-03',
      'lr-04',
      'mlp-04',
    ]);
    const lr = plan.filter((t) => t.params.family === 'logistic_regression').map((t) => t.params);
    expect(lr.map((p) => [p.learningRate, p.l2])).toEqual([
      [0.1, 0],
      [0.1, 0.001],
      [0.01, 0],
      [0.01, 0.001],
    ]);
    const mlp = plan.flatMap((t) => (t.params.family === 'mlp' ? [t.params] : []));
    expect(mlp.map((p) => [p.hiddenUnits, p.dropout])).toEqual([
      [[8], 0],
      [[8], 0.2],
      [[16, 8], 0],
      [[16, 8], 0.2],
    ]);
  });

  it('caps at maxTrials across families', () => {
    const plan = planTrials(twoFamilies('grid', 3));

    expect(plan.map((t) => t.trialId)).toEqual(['lr-01', 'mlp-01', 'lr-02']);
  });

  it('fills the cap from longer grids', () => {
    const plan = planTrials(
      training({
        models: [
          { family: 'logistic_regression' },
          { family: 'mlp', learningRate: [0.1, 0.01, 0.001] },
        ],
        search: { strategy: 'grid', maxTrials: 10, seed: 1 },
      }),
    );

    expect(plan.map((t) => t.trialId)).toEqual(['lr-01', 'mlp-01', 'mlp-02', 'mlp-03']);
  });

  it('applies spec default values', () => {
    const [trial] = planTrials(training({ models: [{ family: 'logistic_regression' }] }));

    expect(trial?.params).toEqual({
      family: 'logistic_regression',
      learningRate: 0.05,
      l2: 0.001,
      epochs: 100,
      batchSize: 64,
    });
  });

  it('drops repeated points', () => {
    const plan = planTrials(
      training({
        models: [
          { family: 'logistic_regression', learningRate: [0.1, 0.1] },
          { family: 'logistic_regression', learningRate: [0.1, 0.2] },
        ],
        search: { strategy: 'grid', maxTrials: 10, seed: 1 },
      }),
    );

    const rates = plan.map((t) => t.params.learningRate);
    expect(rates).toEqual([0.1, 0.2]);
  });

  it('derives distinct trial seeds', () => {
    const plan = planTrials(twoFamilies('grid', 200, 7));
    const again = planTrials(twoFamilies('grid', 200, 7));
    const otherSeed = planTrials(twoFamilies('grid', 200, 8));

    expect(new Set(plan.map((t) => t.seed)).size).toBe(plan.length);
    expect(again.map((t) => t.seed)).toEqual(plan.map((t) => t.seed));
    expect(otherSeed.map((t) => t.seed)).not.toEqual(plan.map((t) => t.seed));
    for (const trial of plan) expect(Number.isInteger(trial.seed) && trial.seed > 0).toBe(true);
  });
});

describe('planTrials random', () => {
  it('repeats the plan for a seed', () => {
    const first = planTrials(twoFamilies('random', 5, 11));

    expect(planTrials(twoFamilies('random', 5, 11))).toEqual(first);
  });

  it('draws differently for another seed', () => {
    const first = planTrials(twoFamilies('random', 5, 11)).map((t) => JSON.stringify(t.params));
    const second = planTrials(twoFamilies('random', 5, 12)).map((t) => JSON.stringify(t.params));

    expect(second).not.toEqual(first);
  });

  it('draws without duplicates up to maxTrials', () => {
    const plan = planTrials(twoFamilies('random', 6, 3));
    const keys = plan.map((t) => JSON.stringify(t.params));

    expect(plan).toHaveLength(6);
    expect(new Set(keys).size).toBe(6);
    expect(new Set(plan.map((t) => t.trialId)).size).toBe(6);
  });

  it('returns the whole space uncapped', () => {
    const plan = planTrials(twoFamilies('random', 50, 3));
    const grid = planTrials(twoFamilies('grid', 50, 3));

    const keys = (trials: typeof plan) => trials.map((t) => JSON.stringify(t.params)).sort();
    expect(keys(plan)).toEqual(keys(grid));
  });

  it('numbers trial ids per family', () => {
    const plan = planTrials(twoFamilies('random', 8, 5));

    const idsOf = (family: string) =>
      plan.filter((t) => t.params.family === family).map((t) => t.trialId);
    const lrIds = idsOf('logistic_regression');
    const mlpIds = idsOf('mlp');
    expect(lrIds).toEqual(['lr-01', 'lr-02', 'lr-03', 'lr-04']);
    expect(mlpIds).toEqual(['mlp-01', 'mlp-02', 'mlp-03', 'mlp-04']);
  });
});
