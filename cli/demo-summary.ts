import type { ApprovalDecision } from '../workflows/contracts.js';

/** What `fullcycle demo` reports; `--json` prints it as one object. */
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
    gates: { metric: string; value: number; min?: number | undefined; max?: number | undefined; passed: boolean }[];
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
  const lines: string[] = [];
  const add = (line = ''): void => void lines.push(line);
  add(
    `Fullcycle demo: project ${summary.project.id} (${summary.ok ? 'all stages completed' : 'FAILED'})`,
  );
  add();
  add('Stages');
  for (const { stage, durationMs, outcome } of summary.stages) {
    add(`  ${stage.padEnd(18)} ${formatMs(durationMs).padStart(9)}  ${outcome}`);
  }
  if (summary.error) add(`\nError: ${summary.error}`);
  if (summary.candidate) {
    const m = summary.candidate.testMetrics;
    add();
    add(
      `Model ${summary.candidate.modelVersionId} (${summary.candidate.family}, trial ${summary.candidate.trialId})`,
    );
    add(
      `  test AUC ${f(m.auc)}  KS ${f(m.ks)}  Gini ${f(m.gini)}  log loss ${f(m.logLoss)}  Brier ${f(m.brier)}`,
    );
    add(
      `  at threshold ${m.threshold}: accuracy ${f(m.accuracy)}  precision ${f(m.precision)}  recall ${f(m.recall)}  F1 ${f(m.f1)}`,
    );
    for (const gate of summary.candidate.gates) {
      const limit = [
        gate.min !== undefined ? `>= ${gate.min}` : '',
        gate.max !== undefined ? `<= ${gate.max}` : '',
      ]
        .join(' ')
        .trim();
      add(
        `  gate ${gate.metric} ${limit}: ${gate.passed ? 'passed' : 'failed'} (${f(gate.value)})`,
      );
    }
  }
  if (summary.approval) {
    const a = summary.approval;
    add();
    add(`Approval: ${a.decision} by ${a.approver} at ${a.decidedAt} via ${a.channel}`);
    if (a.comment) add(`  "${a.comment}"`);
  }
  if (summary.predictions.sent > 0) {
    add();
    add(
      `Predictions: ${summary.predictions.sent} test rows sent to /predict; first ${summary.predictions.sample.length}:`,
    );
    for (const p of summary.predictions.sample) {
      add(`  P(bad) ${f(p.probability)}  predicted ${p.label}  actual ${p.actual}`);
    }
  }
  if (summary.monitoring) {
    const top = summary.monitoring.topDrift.map((d) => `${d.feature} ${f(d.psi)}`).join(', ');
    add();
    add(
      `Monitoring: ${summary.monitoring.predictions} logged predictions, max PSI ${summary.monitoring.maxPsi === null ? 'n/a' : f(summary.monitoring.maxPsi)} (${top})`,
    );
    add(
      `  alerts: ${summary.monitoring.alerts.length === 0 ? 'none' : summary.monitoring.alerts.join('; ')}`,
    );
  }
  add();
  if (summary.report) add(`Report: ${summary.report.html}\n        ${summary.report.json}`);
  if (summary.temporalUi) add(`Temporal UI (while "npm run dev" runs): ${summary.temporalUi}`);
  add(`Total time: ${formatMs(summary.durationMs)}`);
  return `${lines.join('\n')}\n`;
}

function f(value: number | undefined): string {
  return value === undefined ? 'n/a' : value.toFixed(3);
}

function formatMs(ms: number | null): string {
  if (ms === null) return 'running';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
