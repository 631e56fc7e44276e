import { log } from '@temporalio/activity';
import { predictDense } from '../core/dense.js';
import { deserializeEncodedSplits } from '../core/encoded.js';
import { computeMetrics, evaluateGates } from '../core/metrics.js';
import { LOWER_IS_BETTER } from '../core/spec.js';
import type { DenseModel, Metrics } from '../core/types.js';
import type { CandidateSummary, TrialSummary } from '../workflows/contracts.js';
import type { ActivityDeps } from './deps.js';
import { modelVersionId, trialRecordId } from './ids.js';
import type { EvaluationResult, ProjectActivities } from './types.js';

/**
 * Stage 4: scores every completed trial on the validation and test splits,
 * ranks trials on the validation selection metric, applies the quality gates
 * to the test metrics, and registers the best trial that passes them as a
 * candidate model version.
 */
export function createEvaluationActivities(
  deps: ActivityDeps,
): Pick<ProjectActivities, 'evaluateTrials'> {
  return {
    evaluateTrials: async ({ projectId, dataset, trials, evaluation, selectionMetric }) => {
      const splits = deserializeEncodedSplits(await deps.artifacts.get(dataset.artifacts.encoded));
      const scored: (EvaluationResult['ranking'][number] & { trial: TrialSummary })[] = [];
      for (const trial of trials) {
        if (trial.status !== 'completed' || !trial.model) continue;
        const model = await deps.artifacts.getJson<DenseModel>(trial.model);
        const validationMetrics = computeMetrics(
          splits.validation.y,
          predictDense(model, splits.validation.x),
          evaluation.threshold,
        );
        const testMetrics = computeMetrics(
          splits.test.y,
          predictDense(model, splits.test.x),
          evaluation.threshold,
        );
        const gates = evaluateGates(testMetrics, evaluation.gates);
        scored.push({
          trial,
          trialId: trial.trialId,
          validationMetrics,
          testMetrics,
          gatesPassed: gates.every((g) => g.passed),
        });
      }
      scored.sort(
        (a, b) =>
          compareOn(selectionMetric, a.validationMetrics, b.validationMetrics) ||
          a.trialId.localeCompare(b.trialId),
      );

      const best = scored.find((entry) => entry.gatesPassed);
      const ranking = scored.map(({ trial: _trial, ...entry }) => entry);
      if (!best) {
        log.warn('No trial passed the quality gates', { trials: scored.length });
        return { ranking, candidate: null };
      }
      const version = await deps.registry.createModelVersion({
        id: modelVersionId(projectId, dataset.versionId, best.trialId),
        projectId,
        trialId: trialRecordId(dataset.versionId, best.trialId),
        stage: 'candidate',
        validationMetrics: best.validationMetrics,
        testMetrics: best.testMetrics,
        gates: evaluateGates(best.testMetrics, evaluation.gates),
        model: best.trial.model!,
      });
      await deps.registry.appendAudit({
        projectId,
        actor: 'fullcycle',
        action: 'candidate_registered',
        details: {
          modelVersionId: version.id,
          trialId: best.trialId,
          testAuc: best.testMetrics.auc,
        },
      });
      const candidate: CandidateSummary = {
        modelVersionId: version.id,
        version: version.version,
        trialId: best.trialId,
        params: best.trial.params,
        validationMetrics: best.validationMetrics,
        testMetrics: best.testMetrics,
        gates: version.gates,
        model: version.model,
      };
      return { ranking, candidate };
    },
  };
}

/** Orders two metric sets best first on `metric`. */
function compareOn(metric: keyof Metrics & string, a: Metrics, b: Metrics): number {
  const name = metric as Parameters<typeof LOWER_IS_BETTER.has>[0];
  const difference = (a[name] ?? 0) - (b[name] ?? 0);
  return LOWER_IS_BETTER.has(name) ? difference : -difference;
}
