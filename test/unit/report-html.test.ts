import { describe, expect, it } from 'vitest';
import { escapeHtml, renderReportHtml } from '../../core/report-html.js';
import { formatBytes, formatDuration, formatTime, rocCoordinates } from '../../core/report-svg.js';
import type { DeliveryReport } from '../../core/report.js';
import { ProjectSpecSchema } from '../../core/spec.js';
import type { Metrics } from '../../core/types.js';

const PAYLOAD = '<script>alert(1)</script>';
const LEVEL_PAYLOAD = '"><img src=x onerror=alert(2)>';

const SPEC = ProjectSpecSchema.parse({
  name: 'german-credit',
  description: 'Probability that a loan applicant is a bad credit risk.',
  owner: 'credit-risk-team',
  data: { source: { type: 'file', path: '/data/german_credit.data' }, target: { column: 'class', positiveClass: '2' } },
  training: { models: [{ family: 'logistic_regression' }, { family: 'mlp' }] },
  evaluation: { threshold: 0.1667, gates: [{ metric: 'auc', min: 0.74 }, { metric: 'ks', min: 0.5 }] },
  monitoring: { psiAlertThreshold: 0.2, minPredictions: 20 },
});

function metrics(auc: number, ks: number, rows: number): Metrics {
  return {
    auc,
    ks,
    gini: 2 * auc - 1,
    accuracy: 0.705,
    precision: 0.51,
    recall: 0.85,
    f1: 0.6375,
    logLoss: 0.5123,
    brier: 0.171,
    threshold: 0.1667,
    rows,
    positives: Math.round(rows * 0.3),
  };
}

function fullReport(): DeliveryReport {
  return {
    formatVersion: 1,
    generatedAt: '2025-03-02T10:15:00.000Z',
    project: { id: 'prj-7f3a', name: 'german-credit', description: SPEC.description, owner: 'credit-risk-team', stage: 'serving' },
    spec: SPEC,
    stages: [
      { stage: 'data', startedAt: '2025-03-02T10:00:00.000Z', endedAt: '2025-03-02T10:00:01.200Z', durationMs: 1200, outcome: 'completed' },
      { stage: 'training', startedAt: '2025-03-02T10:00:01.200Z', endedAt: '2025-03-02T10:03:05.200Z', durationMs: 184_000, outcome: 'completed' },
      { stage: 'serving', startedAt: '2025-03-02T10:10:00.000Z', endedAt: null, durationMs: null, outcome: 'running' },
    ],
    data: {
      datasetVersionId: 'dsv-01',
      sha256: 'a'.repeat(64),
      sourcePath: '/data/german_credit.data',
      sourceSha256: 'b'.repeat(64),
      rows: 1000,
      splitRows: { train: 600, validation: 200, test: 200 },
      positiveRate: 0.3,
      profile: {
        rows: 1000,
        positives: 300,
        positiveRate: 0.3,
        columns: [
          {
            name: 'duration',
            type: 'numeric',
            count: 1000,
            missing: 0,
            distinct: 33,
            numeric: {
              min: 4, max: 72, mean: 20.903, std: 12.0588, p25: 12, median: 18, p75: 24,
              histogram: { edges: [4, 21, 38, 55, 72], counts: [560, 340, 80, 20] },
            },
            anomalies: [],
          },
          {
            name: 'purpose',
            type: 'categorical',
            count: 1000,
            missing: 10,
            distinct: 3,
            categorical: {
              levels: [
                { value: 'A43', count: 280, positiveRate: 0.221 },
                { value: LEVEL_PAYLOAD, count: 2, positiveRate: 0.5 },
              ],
            },
            anomalies: ['level "A47" has a single row'],
          },
        ],
      },
    },
    trials: [
      {
        trialId: 'trial-1',
        params: { family: 'logistic_regression', learningRate: 0.05, l2: 0.001, epochs: 150, batchSize: 64 },
        status: 'completed',
        epochs: 88,
        queue: 'fullcycle-train-cpu',
        validationMetrics: metrics(0.7912, 0.48, 200),
        error: null,
      },
      {
        trialId: 'trial-2',
        params: { family: 'mlp', hiddenUnits: [32, 16], dropout: 0.2, learningRate: 0.005, l2: 0.001, epochs: 150, batchSize: 64 },
        status: 'completed',
        epochs: 150,
        queue: 'fullcycle-train-gpu',
        validationMetrics: metrics(0.8021, 0.51, 200),
        error: null,
      },
      {
        trialId: 'trial-3',
        params: { family: 'mlp', hiddenUnits: [16], dropout: 0.2, learningRate: 0.005, l2: 0.001, epochs: 150, batchSize: 64 },
        status: 'failed',
        epochs: 0,
        queue: 'fullcycle-train-cpu',
        validationMetrics: null,
        error: 'worker lost',
      },
    ],
    evaluation: {
      selectionMetric: 'auc',
      threshold: 0.1667,
      candidate: {
        modelVersionId: 'mv-42',
        version: 3,
        trialId: 'trial-2',
        params: { family: 'mlp', hiddenUnits: [32, 16], dropout: 0.2, learningRate: 0.005, l2: 0.001, epochs: 150, batchSize: 64 },
        validationMetrics: metrics(0.8021, 0.51, 200),
        testMetrics: metrics(0.81234, 0.4567, 200),
        gates: [
          { metric: 'auc', value: 0.81234, min: 0.74, passed: true },
          { metric: 'ks', value: 0.4567, min: 0.5, passed: false },
        ],
        roc: [
          { fpr: 0, tpr: 0 },
          { fpr: 0.25, tpr: 0.75 },
          { fpr: 1, tpr: 1 },
        ],
      },
    },
    approvals: [
      { decision: 'approve', approver: 'dana.risk', comment: PAYLOAD, channel: 'update', decidedAt: '2025-03-02T10:08:00.000Z', modelVersionId: 'mv-42' },
    ],
    deployment: {
      deploymentId: 'dep-9',
      modelVersionId: 'mv-42',
      onnxSha256: 'c'.repeat(64),
      onnxSizeBytes: 1536,
      deployedAt: '2025-03-02T10:09:00.000Z',
      onnxMaxAbsDiff: 2.4e-7,
    },
    monitoring: {
      checks: 4,
      last: {
        checkedAt: '2025-03-02T14:10:00.000Z',
        predictions: 250,
        maxPsi: 0.4,
        alerts: ['duration: PSI 0.400 is at or above 0.2'],
        drift: [
          { feature: 'purpose', type: 'categorical', psi: 0.05, bins: [] },
          { feature: 'duration', type: 'numeric', psi: 0.4, bins: [] },
        ],
      },
    },
    error: null,
  };
}

function minimalReport(): DeliveryReport {
  return {
    ...fullReport(),
    project: { id: 'prj-0', name: 'german-credit', description: '', owner: '', stage: 'data' },
    stages: [{ stage: 'data', startedAt: '2025-03-02T10:00:00.000Z', endedAt: null, durationMs: null, outcome: 'running' }],
    data: null,
    trials: [],
    evaluation: { selectionMetric: 'auc', threshold: 0.5, candidate: null },
    approvals: [],
    deployment: null,
    monitoring: { checks: 0, last: null },
    error: null,
  };
}

/** Returns the markup of the first `<section>` with this id. */
function sectionOf(page: string, id: string): string {
  const match = new RegExp(`<section id="${id}"[^>]*>[\\s\\S]*?</section>`).exec(page);
  if (!match) throw new Error(`section ${id} not found in the page`);
  return match[0];
}

describe('escapeHtml', () => {
  it('escapes a script payload', () => {
    expect(escapeHtml(PAYLOAD)).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('escapes ampersands and both quotes', () => {
    expect(escapeHtml(`a & "b" 'c'`)).toBe('a &amp; &quot;b&quot; &#39;c&#39;');
  });
});

describe('report value formats', () => {
  it.each([
    [850, '850 ms'],
    [1200, '1.2 s'],
    [184_000, '3 min 4 s'],
    [7_500_000, '2 h 5 min'],
    [93_600_000, '1 d 2 h'],
    [null, '—'],
  ])('formats %s ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [3 * 1024 * 1024, '3.0 MiB'],
  ])('formats %s bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('formats a timestamp in UTC', () => {
    expect(formatTime('2025-03-02T10:15:00.000+02:00')).toBe('2025-03-02 08:15:00 UTC');
  });
});

describe('renderReportHtml on a full report', () => {
  const page = renderReportHtml(fullReport());

  it('returns one HTML document', () => {
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(page.match(/<html\b/g)).toHaveLength(1);
    expect(page.match(/<\/html>/g)).toHaveLength(1);
    expect(page.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('contains no script element', () => {
    expect(page).not.toMatch(/<script/i);
  });

  it('references no other resource', () => {
    expect(page).not.toMatch(/<[^>]*\s(src|href|xlink:href)\s*=/i);
    expect(page).not.toMatch(/https?:\/\//i);
    expect(page).not.toMatch(/@import|url\(/i);
  });

  it('blocks scripts through its CSP', () => {
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('shows project, version, AUC and approver', () => {
    const summary = /<dl class="summary">[\s\S]*?<\/dl>/.exec(page)![0];
    expect(page).toContain('<h1>german-credit</h1>');
    expect(summary).toContain('v3 <code class="id">mv-42</code>');
    // Test AUC 0.81234 and gini 2 * 0.81234 - 1 = 0.62468, both to 3 decimals.
    expect(summary).toContain('0.812 / 0.457 / 0.625');
    expect(summary).toContain('approve by dana.risk');
    expect(summary).toContain(`<code class="hash">${'a'.repeat(64)}</code>`);
  });

  it('lists each stage with its duration', () => {
    const lifecycle = sectionOf(page, 'lifecycle');
    expect(lifecycle).toContain(
      '<tr><td>data</td><td>2025-03-02 10:00:00 UTC</td><td>2025-03-02 10:00:01 UTC</td><td>1.2 s</td><td>completed</td></tr>',
    );
    expect(lifecycle).toContain('<td>training</td>');
    expect(lifecycle).toContain('<td>3 min 4 s</td>');
    expect(lifecycle).toContain('<td>still running</td><td>—</td><td>running</td>');
  });

  it('escapes the approver comment', () => {
    expect(page).not.toContain(PAYLOAD);
    expect(sectionOf(page, 'approval')).toContain('<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>');
  });

  it('escapes a categorical level', () => {
    expect(page).not.toContain(LEVEL_PAYLOAD);
    expect(sectionOf(page, 'data')).toContain('<code>&quot;&gt;&lt;img src=x onerror=alert(2)&gt;</code>');
  });

  it('maps ROC points into the chart box', () => {
    // The plot is the square x 40..200, y 10..170, and y grows downwards, so
    // (fpr 0.25, tpr 0.75) lands at x = 40 + 0.25 * 160 = 80 and
    // y = 10 + (1 - 0.75) * 160 = 50.
    expect(rocCoordinates({ fpr: 0.25, tpr: 0.75 })).toEqual({ x: 80, y: 50 });
    expect(sectionOf(page, 'evaluation')).toMatch(/<path class="roc" d="M40,170 L80,50 L200,10"/);
  });

  it('puts the AUC in the ROC legend', () => {
    const svg = /<svg[^>]*aria-label="ROC curve[\s\S]*?<\/svg>/.exec(page)![0];
    expect(svg).toContain('>AUC 0.812</text>');
    expect(svg).toContain('>AUC 0.500</text>');
  });

  it('shows gates with limit and result', () => {
    const evaluation = sectionOf(page, 'evaluation');
    expect(evaluation).toContain('<td>AUC</td><td>≥ 0.740</td><td>0.812</td><td><span class="pass">pass</span></td>');
    expect(evaluation).toContain('<td>KS</td><td>≥ 0.500</td><td>0.457</td><td><span class="fail">fail</span></td>');
  });

  it('compares validation and test metrics', () => {
    expect(sectionOf(page, 'evaluation')).toContain('<td>AUC</td><td>0.802</td><td>0.812</td>');
  });

  it('highlights the candidate trial', () => {
    const best = /<tr class="best">[\s\S]*?<\/tr>/.exec(sectionOf(page, 'training'))![0];
    expect(best).toContain('<code class="id">trial-2</code>');
    expect(page.match(/<tr class="best">/g)).toHaveLength(1);
  });

  it('shows a failed trial with its error', () => {
    expect(sectionOf(page, 'training')).toContain('<td>failed: worker lost</td>');
  });

  it('draws one histogram per numeric column', () => {
    expect(page.match(/aria-label="Histogram of /g)).toHaveLength(1);
    expect(page).toContain('aria-label="Histogram of duration"');
  });

  it('draws the PSI alert threshold line', () => {
    // Max PSI 0.4 sets the scale, so threshold 0.2 sits halfway along the
    // 150-unit bar area that starts at x 116: 116 + 0.5 * 150 = 191.
    expect(sectionOf(page, 'monitoring')).toMatch(/<line x1="191" y1="20" x2="191" y2="[\d.]+" class="threshold"/);
  });

  it('shows deployment size and ONNX difference', () => {
    const deployment = sectionOf(page, 'deployment');
    expect(deployment).toContain('<dd>1.5 KiB</dd>');
    expect(deployment).toContain('<dd>2.40e-7</dd>');
  });

  it('omits the error section without an error', () => {
    expect(page).not.toContain('<section id="error"');
  });
});

describe('renderReportHtml on a minimal report', () => {
  const page = renderReportHtml(minimalReport());

  it.each([
    ['data', 'No data has been loaded yet.'],
    ['training', 'No trial has run yet.'],
    ['evaluation', 'No candidate model has been evaluated yet.'],
    ['approval', 'No approval decision has been recorded yet.'],
    ['deployment', 'The model has not been deployed.'],
    ['monitoring', 'No monitoring check has run yet.'],
  ])('explains the empty %s section', (id, sentence) => {
    const markup = sectionOf(page, id);
    expect(markup).toContain(`<p class="empty">${sentence}</p>`);
    expect(markup).not.toContain('<table');
  });

  it('draws no chart', () => {
    expect(page).not.toContain('<svg');
  });

  it('summarises missing parts in words', () => {
    const summary = /<dl class="summary">[\s\S]*?<\/dl>/.exec(page)![0];
    expect(summary).toContain('<dd>not deployed</dd>');
    expect(summary).toContain('<dd>no candidate</dd>');
    expect(summary).toContain('<dd>no decision yet</dd>');
    expect(summary).toContain('<dd>no data yet</dd>');
  });
});

describe('renderReportHtml on a failed project', () => {
  const error = { stage: 'data', type: 'DataValidationError', message: `bad cell ${PAYLOAD}` };
  const page = renderReportHtml({ ...minimalReport(), error });

  it('shows the escaped error', () => {
    const section = sectionOf(page, 'error');
    expect(section).toContain('<dd>DataValidationError</dd>');
    expect(section).toContain('<pre>bad cell &lt;script&gt;alert(1)&lt;/script&gt;</pre>');
  });

  it('puts the error before the spec', () => {
    expect(page.indexOf('<section id="error"')).toBeLessThan(page.indexOf('<section id="purpose"'));
  });
});
