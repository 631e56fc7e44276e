import type { DeliveryReport } from './report.js';
import {
  escapeHtml,
  formatBytes,
  formatCount,
  formatDuration,
  formatMetric,
  formatPercent,
  formatTime,
  formatValue,
  histogramChart,
  psiChart,
  rocChart,
} from './report-svg.js';
import { LOWER_IS_BETTER, METRIC_NAMES, type MetricName } from './spec.js';
import type { ColumnProfile, GateResult, TrialParams } from './types.js';

export { escapeHtml };

/** Markup that is already escaped, so the `html` tag inserts it unchanged. */
class SafeHtml {
  constructor(readonly markup: string) {}
}

type Fragment = SafeHtml | string | null | undefined | Fragment[];

/** Builds markup from a template, escaping every interpolated string. */
function html(strings: TemplateStringsArray, ...values: Fragment[]): SafeHtml {
  let markup = strings[0]!;
  values.forEach((value, i) => {
    markup += renderFragment(value) + strings[i + 1]!;
  });
  return new SafeHtml(markup);
}

function renderFragment(value: Fragment): string {
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(renderFragment).join('');
  return value === null || value === undefined ? '' : escapeHtml(value);
}

/**
 * Renders the delivery report as one self-contained HTML page (the model
 * card). The page has inline CSS and SVG only, and a Content-Security-Policy
 * that blocks scripts and every external resource, so it stays inert when
 * opened from disk even if a report field slipped past the escaping.
 */
export function renderReportHtml(report: DeliveryReport): string {
  const sections = [
    header(report),
    summary(report),
    // A failed project leads with its error, before the sections it cut short.
    report.error ? errorSection(report.error) : null,
    purposeSection(report),
    lifecycleSection(report),
    dataSection(report),
    trainingSection(report),
    evaluationSection(report),
    approvalSection(report),
    deploymentSection(report),
    monitoringSection(report),
  ];
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Model card: ${report.project.name}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body><main>
${sections}</main></body>
</html>
`.markup;
}

const STYLE = `
body { margin: 0; color: #1f2328; background: #fff;
  font: 14px/1.45 system-ui, "Segoe UI", Roboto, Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de;
  break-after: avoid; }
h3 { font-size: 15px; margin: 16px 0 4px; break-after: avoid; }
.meta, .empty, dt, figcaption { color: #57606a; }
.empty { font-style: italic; }
.summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr));
  gap: 12px 20px; margin: 16px 0; padding: 12px 16px; border: 1px solid #d0d7de;
  border-radius: 6px; background: #f6f8fa; }
.summary dt { font-size: 12px; }
.summary dd { margin: 0; font-weight: 600; }
table { width: 100%; margin: 8px 0; border-collapse: collapse; font-size: 13px;
  font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border: 1px solid #d0d7de; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
tr { break-inside: avoid; }
table.compact { width: auto; min-width: 50%; }
tr.best td { background: #fff8c5; font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dl.facts dd { margin: 0; }
code, pre { font: 12px/1.4 ui-monospace, Menlo, Consolas, monospace; overflow-wrap: break-word; }
code.hash { overflow-wrap: anywhere; }
code.id { white-space: nowrap; }
pre { padding: 12px; background: #f6f8fa; white-space: pre-wrap; }
ul.plain { margin: 0; padding-left: 16px; }
.pass { color: #1a7f37; font-weight: 600; }
.fail { color: #cf222e; font-weight: 600; }
ul.alerts { color: #cf222e; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 20px; }
figure { margin: 8px 0; break-inside: avoid; }
svg text { font: 10px system-ui, Arial, sans-serif; fill: #1f2328; }
.error { margin: 16px 0; padding: 0 16px 8px; border: 1px solid #cf222e; background: #ffebe9; }
.error h2 { margin-top: 12px; }
@media print {
  main { max-width: none; padding: 0; }
  .summary, th, tr.best td, .error { print-color-adjust: exact; }
}
`;

const METRIC_LABELS: Record<MetricName, string> = {
  auc: 'AUC',
  ks: 'KS',
  gini: 'Gini',
  accuracy: 'Accuracy',
  precision: 'Precision',
  recall: 'Recall',
  f1: 'F1',
  logLoss: 'Log loss',
  brier: 'Brier score',
};

function section(id: string, title: string, ...content: Fragment[]): SafeHtml {
  return html`<section id="${id}"><h2>${title}</h2>${content}</section>\n`;
}

function note(sentence: string): SafeHtml {
  return html`<p class="empty">${sentence}</p>`;
}

function facts(entries: [string, Fragment][]): SafeHtml {
  const items = entries.map(([term, value]) => html`<dt>${term}</dt><dd>${value}</dd>`);
  return html`<dl class="facts">${items}</dl>`;
}

function table(headers: string[], rows: SafeHtml[], className = ''): SafeHtml {
  const head = html`<thead><tr>${headers.map((title) => html`<th>${title}</th>`)}</tr></thead>`;
  const open = className ? html`<table class="${className}">` : html`<table>`;
  return html`${open}${head}<tbody>${rows}</tbody></table>`;
}

function row(cells: Fragment[], className?: string): SafeHtml {
  const data = cells.map((cell) => html`<td>${cell}</td>`);
  return className ? html`<tr class="${className}">${data}</tr>` : html`<tr>${data}</tr>`;
}

function list(items: Fragment[], className = 'plain'): SafeHtml {
  return html`<ul class="${className}">${items.map((item) => html`<li>${item}</li>`)}</ul>`;
}

function code(text: string): SafeHtml {
  return html`<code>${text}</code>`;
}

/** Marks up a short generated id, such as a trial id, that should not wrap at its dashes. */
function identifier(text: string): SafeHtml {
  return html`<code class="id">${text}</code>`;
}

/** Marks up a digest so that it may wrap at any character instead of widening its column. */
function hash(digest: string): SafeHtml {
  return html`<code class="hash">${digest}</code>`;
}

function metricLabel(name: string): string {
  return METRIC_LABELS[name as MetricName] ?? name;
}

function chart(svg: string, caption: string): SafeHtml {
  return html`<figure>${new SafeHtml(svg)}<figcaption>${caption}</figcaption></figure>`;
}

function header(report: DeliveryReport): SafeHtml {
  const { project } = report;
  const owner = project.owner || 'not set';
  const meta = html`Model card · project ${identifier(project.id)} · owner ${owner}
 · stage <strong>${project.stage}</strong> · generated ${formatTime(report.generatedAt)}`;
  return html`<header><h1>${project.name}</h1><p class="meta">${meta}</p></header>\n`;
}

function summary(report: DeliveryReport): SafeHtml {
  const test = report.evaluation.candidate?.testMetrics;
  const scores = test && [test.auc, test.ks, test.gini].map(formatMetric).join(' / ');
  const approval = report.approvals.at(-1);
  const deployed = report.deployment && modelVersion(report, report.deployment.modelVersionId);
  const entries: [string, Fragment][] = [
    ['Deployed model', deployed ?? 'not deployed'],
    ['Test AUC / KS / Gini', scores ?? 'no candidate'],
    ['Approval', approval ? `${approval.decision} by ${approval.approver}` : 'no decision yet'],
    ['Dataset SHA-256', report.data ? hash(report.data.sha256) : 'no data yet'],
  ];
  const items = entries.map(([term, value]) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`);
  return html`<dl class="summary">${items}</dl>\n`;
}

/** Names a model version by its id, prefixed with its number when it is the evaluated candidate. */
function modelVersion(report: DeliveryReport, modelVersionId: string): SafeHtml {
  const candidate = report.evaluation.candidate;
  const number = candidate?.modelVersionId === modelVersionId ? `v${candidate.version} ` : '';
  return html`${number}${identifier(modelVersionId)}`;
}

function purposeSection(report: DeliveryReport): SafeHtml {
  const { spec } = report;
  const { target } = spec.data;
  const gates = spec.evaluation.gates.map(
    (gate) => `${METRIC_LABELS[gate.metric]} ${formatLimit(gate)}`,
  );
  const specJson = JSON.stringify(spec, null, 2);
  return section(
    'purpose',
    'Purpose & spec',
    html`<p>${report.project.description || 'No description was given.'}</p>`,
    facts([
      ['Task', spec.task],
      ['Target', html`${code(target.column)}, positive class ${code(target.positiveClass)}`],
      ['Decision threshold', `score ≥ ${spec.evaluation.threshold}`],
      ['Quality gates', gates.length > 0 ? list(gates) : 'none'],
    ]),
    html`<details><summary>Full spec (JSON)</summary><pre>${specJson}</pre></details>`,
  );
}

function formatLimit(gate: { min?: number; max?: number }): string {
  const { min, max } = gate;
  if (min !== undefined && max !== undefined) {
    return `between ${formatMetric(min)} and ${formatMetric(max)}`;
  }
  return min !== undefined ? `≥ ${formatMetric(min)}` : `≤ ${formatMetric(max)}`;
}

function lifecycleSection(report: DeliveryReport): SafeHtml {
  if (report.stages.length === 0) {
    return section('lifecycle', 'Lifecycle', note('No stage has started yet.'));
  }
  const rows = report.stages.map((stage) =>
    row([
      stage.stage,
      formatTime(stage.startedAt),
      stage.endedAt === null ? 'still running' : formatTime(stage.endedAt),
      formatDuration(stage.durationMs),
      stage.outcome,
    ]),
  );
  const headers = ['Stage', 'Started', 'Ended', 'Duration', 'Outcome'];
  return section('lifecycle', 'Lifecycle', table(headers, rows));
}

const PROFILE_HEADERS = [
  ...['Column', 'Type', 'Missing', 'Distinct', 'Mean', 'Std', 'Min', 'Median', 'Max'],
  ...['Top levels: rows (positive rate)', 'Anomalies'],
];

function dataSection(report: DeliveryReport): SafeHtml {
  const { data } = report;
  if (!data) return section('data', 'Data', note('No data has been loaded yet.'));
  const split = Object.entries(data.splitRows).map(
    ([name, rows]) => `${name} ${formatCount(rows)}`,
  );
  const histograms = data.profile.columns.flatMap(({ name, numeric }) =>
    numeric ? [chart(histogramChart(name, numeric.histogram), name)] : [],
  );
  const histogramGrid = html`<h3>Numeric columns</h3><div class="charts">${histograms}</div>`;
  return section(
    'data',
    'Data',
    facts([
      ['Source file', code(data.sourcePath)],
      ['Source SHA-256', data.sourceSha256 ? hash(data.sourceSha256) : 'not recorded'],
      ['Dataset version', identifier(data.datasetVersionId)],
      ['Dataset SHA-256', hash(data.sha256)],
      ['Rows', formatCount(data.rows)],
      ['Split rows', split.join(', ')],
      ['Positive rate', formatPercent(data.positiveRate)],
    ]),
    html`<h3>Column profile</h3>`,
    table(PROFILE_HEADERS, data.profile.columns.map(profileRow)),
    histograms.length > 0 ? histogramGrid : null,
  );
}

/** Number of categorical levels listed per column. The JSON report keeps them all. */
const TOP_LEVELS = 5;

function profileRow(column: ColumnProfile): SafeHtml {
  const stats = column.numeric;
  const numbers = stats ? [stats.mean, stats.std, stats.min, stats.median, stats.max] : [];
  const levels = (column.categorical?.levels ?? []).slice(0, TOP_LEVELS).map((level) => {
    const rate = formatPercent(level.positiveRate);
    return html`${code(level.value)}: ${formatCount(level.count)} (${rate})`;
  });
  const missingShare = column.count > 0 ? ` (${formatPercent(column.missing / column.count)})` : '';
  return row([
    code(column.name),
    column.type,
    formatCount(column.missing) + missingShare,
    formatCount(column.distinct),
    ...(stats ? numbers.map(formatValue) : ['', '', '', '', '']),
    levels.length > 0 ? list(levels) : '',
    column.anomalies.length > 0 ? list(column.anomalies) : '—',
  ]);
}

const TRIAL_HEADERS = [
  ...['Trial', 'Family', 'Hyperparameters', 'Epochs run', 'Queue'],
  ...['Val. AUC', 'Val. KS', 'Val. log loss', 'Status'],
];

function trainingSection(report: DeliveryReport): SafeHtml {
  if (report.trials.length === 0) {
    return section('training', 'Training', note('No trial has run yet.'));
  }
  const best = bestTrialId(report);
  const rows = report.trials.map((trial) => {
    const isBest = trial.trialId === best;
    const metrics = trial.validationMetrics;
    const scores = [metrics?.auc, metrics?.ks, metrics?.logLoss].map(formatMetric);
    let status = isBest ? `${trial.status} (best)` : trial.status;
    if (trial.error) status = `${trial.status}: ${trial.error}`;
    const { trialId, params, epochs, queue } = trial;
    const cells = [identifier(trialId), params.family, formatParams(params), String(epochs), queue];
    return row([...cells, ...scores, status], isBest ? 'best' : undefined);
  });
  const metric = metricLabel(report.evaluation.selectionMetric);
  const ranking = html`<p>Trials are ranked on validation ${metric}.</p>`;
  return section('training', 'Training', ranking, table(TRIAL_HEADERS, rows));
}

/** Picks the candidate's trial, or else the trial with the best validation selection metric. */
function bestTrialId(report: DeliveryReport): string | null {
  const { candidate, selectionMetric } = report.evaluation;
  if (candidate) return candidate.trialId;
  const metric = METRIC_NAMES.find((name) => name === selectionMetric) ?? 'auc';
  const sign = LOWER_IS_BETTER.has(metric) ? -1 : 1;
  let best: { trialId: string; score: number } | null = null;
  for (const trial of report.trials) {
    const value = trial.validationMetrics?.[metric];
    if (value === undefined || !Number.isFinite(value)) continue;
    if (!best || sign * value > best.score) best = { trialId: trial.trialId, score: sign * value };
  }
  return best?.trialId ?? null;
}

function formatParams(params: TrialParams): string {
  const { learningRate, l2, batchSize, epochs } = params;
  const common = `learning rate ${learningRate}, L2 ${l2}, batch ${batchSize}`;
  const withEpochs = `${common}, max epochs ${epochs}`;
  if (params.family === 'logistic_regression') return withEpochs;
  return `hidden [${params.hiddenUnits.join(', ')}], dropout ${params.dropout}, ${withEpochs}`;
}

function evaluationSection(report: DeliveryReport): SafeHtml {
  const { candidate, selectionMetric, threshold } = report.evaluation;
  if (!candidate) {
    return section('evaluation', 'Evaluation', note('No candidate model has been evaluated yet.'));
  }
  const { validationMetrics: validation, testMetrics: test, gates, roc } = candidate;
  const metricRows = METRIC_NAMES.map((name) =>
    row([METRIC_LABELS[name], formatMetric(validation[name]), formatMetric(test[name])]),
  );
  const selectionLabel = metricLabel(selectionMetric);
  const intro = html`<p>Candidate ${modelVersion(report, candidate.modelVersionId)}
 from trial ${identifier(candidate.trialId)}, selected on validation ${selectionLabel}.
 Accuracy, precision, recall and F1 count a score ≥ ${String(threshold)} as positive.
 Validation ${formatCount(validation.rows)} rows, test ${formatCount(test.rows)} rows.</p>`;
  const gateTable = table(['Metric', 'Limit', 'Value', 'Result'], gates.map(gateRow), 'compact');
  return section(
    'evaluation',
    'Evaluation',
    intro,
    table(['Metric', 'Validation', 'Test'], metricRows, 'compact'),
    html`<h3>Quality gates (test split)</h3>`,
    gates.length > 0 ? gateTable : note('The spec sets no quality gates.'),
    html`<h3>ROC curve (test split)</h3>`,
    roc.length > 0
      ? chart(rocChart(roc, test.auc), `${roc.length} points`)
      : note('No ROC points were recorded.'),
  );
}

function gateRow(gate: GateResult): SafeHtml {
  const result = gate.passed ? 'pass' : 'fail';
  const badge = html`<span class="${result}">${result}</span>`;
  return row([METRIC_LABELS[gate.metric], formatLimit(gate), formatMetric(gate.value), badge]);
}

function approvalSection(report: DeliveryReport): SafeHtml {
  if (report.approvals.length === 0) {
    return section('approval', 'Approval', note('No approval decision has been recorded yet.'));
  }
  const rows = report.approvals.map((approval) =>
    row([
      approval.decision,
      approval.approver,
      approval.comment || '—',
      approval.channel,
      formatTime(approval.decidedAt),
      identifier(approval.modelVersionId),
    ]),
  );
  const headers = ['Decision', 'Approver', 'Comment', 'Channel', 'Decided at', 'Model version'];
  return section('approval', 'Approval', table(headers, rows));
}

function deploymentSection(report: DeliveryReport): SafeHtml {
  const { deployment } = report;
  if (!deployment) {
    return section('deployment', 'Deployment', note('The model has not been deployed.'));
  }
  return section(
    'deployment',
    'Deployment',
    facts([
      ['Deployment', identifier(deployment.deploymentId)],
      ['Model version', modelVersion(report, deployment.modelVersionId)],
      ['ONNX SHA-256', hash(deployment.onnxSha256)],
      ['ONNX size', formatBytes(deployment.onnxSizeBytes)],
      ['ONNX vs reference, max abs diff', deployment.onnxMaxAbsDiff.toExponential(2)],
      ['Deployed at', formatTime(deployment.deployedAt)],
    ]),
  );
}

function monitoringSection(report: DeliveryReport): SafeHtml {
  const { checks, last } = report.monitoring;
  if (!last) return section('monitoring', 'Monitoring', note('No monitoring check has run yet.'));
  const { psiAlertThreshold, minPredictions } = report.spec.monitoring;
  const maxPsi =
    last.maxPsi === null
      ? `not computed: fewer than ${minPredictions} predictions`
      : formatMetric(last.maxPsi);
  return section(
    'monitoring',
    'Monitoring',
    facts([
      ['Checks', formatCount(checks)],
      ['Last check', formatTime(last.checkedAt)],
      ['Predictions', formatCount(last.predictions)],
      ['Max PSI', maxPsi],
      ['PSI alert threshold', formatValue(psiAlertThreshold)],
    ]),
    last.drift.length > 0
      ? chart(psiChart(last.drift, psiAlertThreshold), 'PSI per feature in the last check')
      : note('The last check had too few predictions to estimate drift.'),
    html`<h3>Alerts</h3>`,
    last.alerts.length > 0 ? list(last.alerts, 'alerts') : note('The last check raised no alerts.'),
  );
}

function errorSection(error: NonNullable<DeliveryReport['error']>): SafeHtml {
  const details = facts([
    ['Stage', error.stage],
    ['Type', error.type],
  ]);
  const message = html`<pre>${error.message}</pre>`;
  return html`<section id="error" class="error"><h2>Error</h2>${details}${message}</section>\n`;
}
