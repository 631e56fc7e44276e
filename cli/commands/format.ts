import type { ProjectDetail } from '../../api/schemas.js';
import { sanitizeForTerminal } from './common.js';

/** Formats a number with at most `digits` decimals, or `-` for null. */
export function num(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined ? '-' : String(Number(value.toFixed(digits)));
}

/** Formats milliseconds as `850 ms`, `12.3 s` or `4.2 min`. */
export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/**
 * Lays out rows as columns separated by two spaces, the first row being the
 * header. Cells are sanitized first, so escapes do not shift the columns.
 */
export function table(cells: string[][]): string[] {
  const rows = cells.map((row) => row.map(sanitizeForTerminal));
  const widths = rows[0]!.map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
}

/** Renders the human-readable `fullcycle status` output. */
export function describeProject(project: ProjectDetail): string[] {
  const lines = [
    `${project.id} (${project.name})`,
    `  stage:     ${project.stage}${project.source === 'registry' ? ' (last recorded; the workflow did not answer)' : ''}`,
    `  workflow:  ${project.workflowId}`,
  ];
  if (project.links.temporalUi) lines.push(`  temporal:  ${project.links.temporalUi}`);
  if (project.stageHistory.length > 0) {
    lines.push('', 'Stages');
    lines.push(
      ...project.stageHistory.map(
        (entry) =>
          `  ${entry.stage.padEnd(18)} ${entry.outcome.padEnd(10)} ${duration(entry.durationMs)}`,
      ),
    );
  }
  if (project.dataset) lines.push('', ...describeDataset(project.dataset));
  if (project.trials.length > 0)
    lines.push('', 'Trials', ...describeTrials(project.trials).map((line) => `  ${line}`));
  if (project.runningTrials.length > 0)
    lines.push('', 'Training now', ...describeRunning(project.runningTrials));
  if (project.candidate) lines.push('', ...describeCandidate(project.candidate));
  lines.push(...describeDecision(project));
  if (project.error)
    lines.push(
      '',
      `Error in stage ${project.error.stage} (${project.error.type}): ${project.error.message}`,
    );
  return lines;
}

function describeDataset(dataset: NonNullable<ProjectDetail['dataset']>): string[] {
  const { train, validation, test } = dataset.splitRows;
  return [
    `Dataset ${dataset.versionId.slice(0, 12)}`,
    `  ${dataset.rows} rows, ${dataset.features} features (${dataset.encodedFeatures} encoded), positive rate ${num(dataset.positiveRate * 100, 1)}%`,
    `  splits: train ${train}, validation ${validation}, test ${test}`,
  ];
}

function describeTrials(trials: ProjectDetail['trials']): string[] {
  const rows = trials.map((trial) => [
    trial.id,
    String(trial.params.family ?? ''),
    trial.status,
    String(trial.epochs),
    num(trial.validationMetrics?.auc),
    trial.error ?? '',
  ]);
  return table([['TRIAL', 'FAMILY', 'STATUS', 'EPOCHS', 'VAL AUC', 'ERROR'], ...rows]);
}

function describeRunning(running: ProjectDetail['runningTrials']): string[] {
  return running.map((trial) => {
    const progress =
      trial.epochs === null ? `epoch ${trial.epoch}` : `epoch ${trial.epoch}/${trial.epochs}`;
    const loss =
      trial.validationLoss === null ? '' : `, validation loss ${num(trial.validationLoss)}`;
    const attempt = trial.attempt > 1 ? ` (attempt ${trial.attempt})` : '';
    return `  ${trial.trialId ?? '(starting)'}: ${progress}${loss}${attempt}`;
  });
}

function describeCandidate(candidate: NonNullable<ProjectDetail['candidate']>): string[] {
  const gates = candidate.gates.map((gate) => {
    const bounds = [
      gate.min !== undefined ? `>= ${gate.min}` : '',
      gate.max !== undefined ? `<= ${gate.max}` : '',
    ].filter(Boolean);
    return `  ${gate.passed ? 'pass' : 'FAIL'}  ${gate.metric} ${num(gate.value)} (${bounds.join(', ')})`;
  });
  return [
    `Candidate ${candidate.modelVersionId} (version ${candidate.version}, trial ${candidate.trialId})`,
    `  validation: auc ${num(candidate.validationMetrics.auc)}, ks ${num(candidate.validationMetrics.ks)}`,
    `  test:       auc ${num(candidate.testMetrics.auc)}, ks ${num(candidate.testMetrics.ks)}`,
    'Gates',
    ...gates,
  ];
}

function describeDecision(project: ProjectDetail): string[] {
  const lines: string[] = [];
  const { pendingApproval, approval, deployment, monitoring } = project;
  if (pendingApproval) {
    lines.push(
      '',
      `Awaiting approval of ${pendingApproval.modelVersionId} until ${pendingApproval.deadline}`,
    );
    lines.push(
      `  fullcycle approve ${project.id} --approver NAME   or   fullcycle reject ${project.id} --approver NAME`,
    );
  }
  if (approval) {
    const comment = approval.comment ? `: ${approval.comment}` : '';
    lines.push(
      '',
      `Decision: ${approval.decision} by ${approval.approver} at ${approval.decidedAt}${comment}`,
    );
  }
  if (deployment)
    lines.push(
      '',
      `Deployment ${deployment.deploymentId} serves ${deployment.modelVersionId} since ${deployment.deployedAt}`,
    );
  if (monitoring.last) {
    const last = monitoring.last;
    lines.push(
      `Monitoring: ${monitoring.checks} checks; last at ${last.checkedAt} on ${last.predictions} predictions, max PSI ${num(last.maxPsi)}`,
    );
  }
  return lines;
}
