import type { ProjectState } from '../workflows/contracts.js';
import type { ProjectRecord } from '../store/types.js';
import type { ProjectDetail } from './schemas.js';

/**
 * Builds the GET /v1/projects/:id body from the workflow's state, or from
 * the registry record alone when no state snapshot exists yet. The duration
 * of a running stage is the time elapsed until `now`.
 */
export function projectDetail(
  record: ProjectRecord,
  state: ProjectState | null,
  source: ProjectDetail['source'],
  links: ProjectDetail['links'],
  now: Date = new Date(),
  runningTrials: ProjectDetail['runningTrials'] = [],
): ProjectDetail {
  const base = {
    id: record.id,
    name: record.name,
    workflowId: record.workflowId,
    source,
    links,
    runningTrials,
  };
  if (!state) return { ...base, ...emptyState(record) };

  return {
    ...base,
    stage: state.stage,
    stageHistory: state.stageHistory.map((entry) => ({
      stage: entry.stage,
      startedAt: entry.startedAt,
      endedAt: entry.endedAt,
      durationMs: entry.durationMs ?? Math.max(0, now.getTime() - Date.parse(entry.startedAt)),
      outcome: entry.outcome,
    })),
    dataset: state.dataset && {
      versionId: state.dataset.versionId,
      sha256: state.dataset.sha256,
      rows: state.dataset.rows,
      features: state.dataset.features,
      encodedFeatures: state.dataset.encodedFeatures,
      splitRows: state.dataset.splitRows,
      positiveRate: state.dataset.positiveRate,
    },
    trials: state.trials.map((trial) => ({
      id: trial.trialId,
      params: trial.params,
      status: trial.status,
      epochs: trial.epochs,
      queue: trial.queue,
      validationMetrics: trial.validationMetrics,
      error: trial.error,
    })),
    candidate: state.candidate && {
      modelVersionId: state.candidate.modelVersionId,
      version: state.candidate.version,
      trialId: state.candidate.trialId,
      params: state.candidate.params,
      validationMetrics: state.candidate.validationMetrics,
      testMetrics: state.candidate.testMetrics,
      gates: state.candidate.gates,
    },
    pendingApproval: state.pendingApproval,
    approval: state.approval,
    deployment: state.deployment,
    monitoring: state.monitoring,
    error: state.error,
  };
}

function emptyState(
  record: ProjectRecord,
): Omit<ProjectDetail, 'id' | 'name' | 'workflowId' | 'source' | 'links' | 'runningTrials'> {
  return {
    stage: record.stage,
    stageHistory: [],
    dataset: null,
    trials: [],
    candidate: null,
    pendingApproval: null,
    approval: null,
    deployment: null,
    monitoring: { checks: 0, last: null },
    error: record.error,
  };
}
