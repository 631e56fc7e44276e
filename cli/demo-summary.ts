import type { ApprovalDecision } from '../workflows/contracts.js';

/** The result of `fullcycle demo`, printed as text or, with `--json`, as one object. */
export interface DemoSummary {
  /** True only when every stage completed and the drift check ran. */
  ok: boolean;
  project: { id: string; workflowId: string; stage: string };
  stages: { stage: string; durationMs: number | null; outcome: string }[];
  dataset: {
    versionId: string;
    rows: number;
    splitRows: { train: number; validation: number; test: number };
  } | null;
  trials: { trialId: string; family: string; status: string; validationAuc: number | null }[];
  candidate: {
    modelVersionId: string;
    trialId: string;
    family: string;
    /** Metric name to value, as in core's Metrics. */
    testMetrics: Record<string, number>;
    gates: {
      metric: string;
      value: number;
      min?: number | undefined;
      max?: number | undefined;
      passed: boolean;
    }[];
  } | null;
  approval: ApprovalDecision | null;
  deployment: { deploymentId: string; onnxSha256: string } | null;
  predictions: { sent: number; sample: { probability: number; label: number; actual: number }[] };
  monitoring: {
    predictions: number;
    maxPsi: number | null;
    topDrift: { feature: string; psi: number }[];
    alerts: string[];
  } | null;
  report: { json: string; html: string } | null;
  temporalUi: string | null;
  error?: string;
  durationMs: number;
}

/** Formats the summary as the text the demo prints without `--json`. */
export function formatSummary(summary: DemoSummary): string {
  const status = summary.ok ? 'all stages completed' : 'FAILED';
  const sections = [
    [`Fullcycle demo: project ${summary.project.id} (${status})`],
    formatStages(summary),
    formatModel(summary.candidate),
    formatApproval(summary.approval),
    formatPredictions(summary.predictions),
    formatMonitoring(summary.monitoring),
    formatWhereToLook(summary),
  ];
  return `${sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join('\n'))
    .join('\n\n')}\n`;
}

function formatStages(summary: DemoSummary): string[] {
  const lines = ['Stages'];
  for (const { stage, durationMs, outcome } of summary.stages) {
    lines.push(`  ${stage.padEnd(18)} ${formatMs(durationMs).padStart(9)}  ${outcome}`);
  }
  if (summary.error) lines.push('', `Error: ${summary.error}`);
  return lines;
}

function formatModel(candidate: DemoSummary['candidate']): string[] {
  if (!candidate) return [];
  const m = candidate.testMetrics;
  const lines = [
    `Model ${candidate.modelVersionId} (${candidate.family}, trial ${candidate.trialId})`,
    `  test AUC ${f(m.auc)}  KS ${f(m.ks)}  Gini ${f(m.gini)}  log loss ${f(m.logLoss)}  Brier ${f(m.brier)}`,
    `  at threshold ${m['threshold']}: accuracy ${f(m.accuracy)}  precision ${f(m.precision)}  ` +
      `recall ${f(m.recall)}  F1 ${f(m.f1)}`,
  ];
  for (const gate of candidate.gates) {
    const limits = [];
    if (gate.min !== undefined) limits.push(`>= ${gate.min}`);
    if (gate.max !== undefined) limits.push(`<= ${gate.max}`);
    lines.push(
      `  gate ${gate.metric} ${limits.join(' ')}: ${gate.passed ? 'passed' : 'failed'} (${f(gate.value)})`,
    );
  }
  return lines;
}

function formatApproval(approval: DemoSummary['approval']): string[] {
  if (!approval) return [];
  const lines = [
    `Approval: ${approval.decision} by ${approval.approver} at ${approval.decidedAt} via ${approval.channel}`,
  ];
  if (approval.comment) lines.push(`  "${approval.comment}"`);
  return lines;
}

function formatPredictions(predictions: DemoSummary['predictions']): string[] {
  if (predictions.sent === 0) return [];
  const lines = [
    `Predictions: ${predictions.sent} test rows sent to /predict; first ${predictions.sample.length}:`,
  ];
  for (const p of predictions.sample) {
    lines.push(`  P(bad) ${f(p.probability)}  predicted ${p.label}  actual ${p.actual}`);
  }
  return lines;
}

function formatMonitoring(monitoring: DemoSummary['monitoring']): string[] {
  if (!monitoring) return [];
  const top = monitoring.topDrift.map((drift) => `${drift.feature} ${f(drift.psi)}`).join(', ');
  const maxPsi = monitoring.maxPsi === null ? 'n/a' : f(monitoring.maxPsi);
  const alerts = monitoring.alerts.length === 0 ? 'none' : monitoring.alerts.join('; ');
  return [
    `Monitoring: ${monitoring.predictions} logged predictions, max PSI ${maxPsi} (${top})`,
    `  alerts: ${alerts}`,
  ];
}

function formatWhereToLook(summary: DemoSummary): string[] {
  const lines: string[] = [];
  if (summary.report)
    lines.push(`Report: ${summary.report.html}`, `        ${summary.report.json}`);
  if (summary.temporalUi)
    lines.push(`Temporal UI (while "npm run dev" runs): ${summary.temporalUi}`);
  lines.push(`Total time: ${formatMs(summary.durationMs)}`);
  return lines;
}

function f(value: number | undefined): string {
  return value === undefined ? 'n/a' : value.toFixed(3);
}

function formatMs(ms: number | null): string {
  if (ms === null) return 'running';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
