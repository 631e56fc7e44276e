import { createRng, shuffleInPlace } from './rng.js';
import type { ModelFamily, ModelSearch, ProjectSpec } from './spec.js';
import type { TrialParams, TrialPlan } from './types.js';

const FAMILY_PREFIX: Record<ModelFamily, string> = {
  logistic_regression: 'lr',
  mlp: 'mlp',
};

/**
 * Expands the spec's search space into the trials to run.
 *
 * Each entry of `training.models` becomes a grid: the cartesian product of its
 * value lists, with the first listed field varying slowest. A point that
 * repeats an earlier one is dropped. Strategy `grid` takes one point from
 * each entry in turn until every grid is exhausted or `search.maxTrials` is
 * reached, so a small cap still tries every family.
 * Strategy `random` draws `search.maxTrials` distinct points from the union of
 * all grids with `createRng(search.seed)`.
 *
 * Trial ids are `<family prefix>-<n>` (`lr-01`, `mlp-03`), numbered per family
 * in plan order. Each trial's seed is derived from `search.seed` and its
 * position in the plan. The result depends only on the input.
 */
export function planTrials(training: ProjectSpec['training']): TrialPlan[] {
  const grids = withoutRepeats(training.models.map(expandGrid));
  const { strategy, maxTrials, seed } = training.search;

  const points =
    strategy === 'grid'
      ? roundRobin(grids, maxTrials)
      : sampleWithoutReplacement(grids.flat(), maxTrials, seed);

  return assignIds(points).map(({ trialId, params }, index) => ({
    trialId,
    params,
    seed: deriveTrialSeed(seed, index),
  }));
}

/**
 * Derives a trial's seed from the search seed and the trial's index, so that
 * trials differ from each other but a plan always gets the same seeds.
 */
export function deriveTrialSeed(searchSeed: number, index: number): number {
  // Plain `searchSeed + index` would give search seed 7's second trial the
  // seed of search seed 8's first trial; mixing keeps searches apart.
  const rng = createRng((searchSeed + Math.imul(index + 1, 0x9e3779b9)) >>> 0);
  return rng.int(2 ** 31 - 1) + 1;
}

function expandGrid(search: ModelSearch): TrialParams[] {
  const { learningRate: rates, l2: penalties, epochs: epochCounts, batchSize: batchSizes } = search;
  if (search.family === 'logistic_regression') {
    return product([rates, penalties, epochCounts, batchSizes]).map(
      ([learningRate, l2, epochs, batchSize]) => ({
        family: 'logistic_regression',
        learningRate,
        l2,
        epochs,
        batchSize,
      }),
    );
  }
  const { hiddenUnits: architectures, dropout: dropoutRates } = search;
  return product([architectures, dropoutRates, rates, penalties, epochCounts, batchSizes]).map(
    ([hiddenUnits, dropout, learningRate, l2, epochs, batchSize]) => ({
      family: 'mlp',
      hiddenUnits: [...hiddenUnits],
      dropout,
      learningRate,
      l2,
      epochs,
      batchSize,
    }),
  );
}

/** Builds the cartesian product of the lists; the first list varies slowest. */
function product<T extends unknown[]>(lists: { [K in keyof T]: T[K][] }): T[] {
  let combos: unknown[][] = [[]];
  for (const list of lists as unknown[][]) {
    combos = combos.flatMap((prefix) => list.map((value) => [...prefix, value]));
  }
  return combos as T[];
}

/** Drops points already present earlier, as repeated list values or overlapping entries produce. */
function withoutRepeats(grids: TrialParams[][]): TrialParams[][] {
  const seen = new Set<string>();
  return grids.map((grid) =>
    grid.filter((point) => {
      const key = JSON.stringify(point);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
  );
}

function roundRobin(grids: TrialParams[][], maxTrials: number): TrialParams[] {
  const picked: TrialParams[] = [];
  const longest = Math.max(...grids.map((grid) => grid.length));

  for (let position = 0; position < longest; position++) {
    for (const grid of grids) {
      const point = grid[position];
      if (point === undefined) continue;
      picked.push(point);
      if (picked.length === maxTrials) return picked;
    }
  }
  return picked;
}

function sampleWithoutReplacement(
  pool: TrialParams[],
  maxTrials: number,
  seed: number,
): TrialParams[] {
  const order = shuffleInPlace(
    pool.map((_, index) => index),
    createRng(seed),
  );
  return order.slice(0, maxTrials).map((index) => pool[index]!);
}

function assignIds(points: TrialParams[]): { trialId: string; params: TrialParams }[] {
  const totals = new Map<ModelFamily, number>();
  for (const point of points) totals.set(point.family, (totals.get(point.family) ?? 0) + 1);

  const counters = new Map<ModelFamily, number>();
  return points.map((params) => {
    const number = (counters.get(params.family) ?? 0) + 1;
    counters.set(params.family, number);
    const width = Math.max(2, String(totals.get(params.family)).length);
    const trialId = `${FAMILY_PREFIX[params.family]}-${String(number).padStart(width, '0')}`;
    return { trialId, params };
  });
}
