import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PredictResponse } from '../../api/schemas.js';
import type { MonitoringCheck } from '../../workflows/contracts.js';
import {
  CommandError,
  parseCommandArgs,
  printJson,
  projectPath,
  UsageError,
  type HttpCommand,
} from './common.js';
import { num, table } from './format.js';

/** `predict`: scores rows from a JSON file or one row given inline. */
export const predictCommand: HttpCommand = {
  name: 'predict',
  usage: '<id> (--rows FILE.json | --row JSON) [--json]',
  summary: "Score rows with the project's deployed model",
  async run(args, context) {
    const options = {
      rows: { type: 'string' },
      row: { type: 'string' },
      json: { type: 'boolean' },
    } as const;
    const { values, positionals } = parseCommandArgs(args, options, ['PROJECT_ID']);
    const body = await predictionBody(values.rows, values.row, context.cwd);
    const result = await context.client.json<PredictResponse>({
      method: 'POST',
      path: projectPath(positionals[0]!, '/predict'),
      body,
    });
    if (values.json) return printJson(context, result);

    context.print(
      `Model ${result.modelVersionId} (deployment ${result.deploymentId}), threshold ${result.threshold}`,
    );
    const rows = result.predictions.map((prediction, index) => [
      String(index),
      num(prediction.probability, 4),
      String(prediction.label),
    ]);
    for (const line of table([['ROW', 'PROBABILITY', 'LABEL'], ...rows])) context.print(line);
  },
};

/** Reads `--rows` (a JSON array of objects, or an object with `rows`) or `--row` (one JSON object). */
async function predictionBody(
  rowsFile: string | undefined,
  row: string | undefined,
  cwd: string,
): Promise<object> {
  if ((rowsFile === undefined) === (row === undefined))
    throw new UsageError('give exactly one of --rows FILE.json and --row JSON');
  if (row !== undefined) return { row: parseJsonArgument(row, '--row') };

  const file = path.resolve(cwd, rowsFile!);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read rows file ${file}: ${(error as Error).message}`);
  }
  const parsed = parseJsonArgument(text, file);
  return Array.isArray(parsed) ? { rows: parsed } : (parsed as object);
}

function parseJsonArgument(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
}

/** `monitor`: runs a drift check now. */
export const monitorCommand: HttpCommand = {
  name: 'monitor',
  usage: '<id> [--json]',
  summary: 'Run a drift check on the logged predictions now',
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, [
      'PROJECT_ID',
    ]);
    const check = await context.client.json<MonitoringCheck>({
      method: 'POST',
      path: projectPath(positionals[0]!, '/monitoring/run'),
    });
    if (values.json) return printJson(context, check);

    context.print(
      `Checked ${check.predictions} predictions at ${check.checkedAt}; max PSI ${num(check.maxPsi)}`,
    );
    if (check.drift.length === 0)
      context.print('  no drift computed: too few predictions logged yet');
    const top = [...check.drift].sort((a, b) => b.psi - a.psi).slice(0, 10);
    if (top.length > 0)
      for (const line of table([
        ['FEATURE', 'TYPE', 'PSI'],
        ...top.map((d) => [d.feature, d.type, num(d.psi)]),
      ]))
        context.print(`  ${line}`);
    for (const alert of check.alerts) context.print(`ALERT: ${alert}`);
  },
};

interface ReportSummary {
  generatedAt?: string;
  project?: { id: string; name: string; stage: string };
  evaluation?: {
    candidate: { modelVersionId: string; testMetrics: Record<string, number> } | null;
  };
  deployment?: { deploymentId: string; modelVersionId: string } | null;
  approvals?: { decision: string; approver: string; decidedAt: string }[];
}

/** `report`: prints a summary of the latest delivery report, or saves it as HTML. */
export const reportCommand: HttpCommand = {
  name: 'report',
  usage: '<id> [--html FILE] [--json]',
  summary: 'Show the latest delivery report, or save it as HTML',
  async run(args, context) {
    const options = { html: { type: 'string' }, json: { type: 'boolean' } } as const;
    const { values, positionals } = parseCommandArgs(args, options, ['PROJECT_ID']);
    const reportPath = projectPath(positionals[0]!, '/report');
    if (values.html !== undefined) {
      const file = path.resolve(context.cwd, values.html);
      const html = await context.client.text({
        method: 'GET',
        path: reportPath,
        query: { format: 'html' },
        accept: 'text/html',
      });
      await writeReport(file, html);
      return context.print(`Saved the report to ${file}`);
    }
    const report = await context.client.json<ReportSummary>({ method: 'GET', path: reportPath });
    if (values.json) return printJson(context, report);
    for (const line of summarizeReport(report)) context.print(line);
  },
};

async function writeReport(file: string, html: string): Promise<void> {
  try {
    await writeFile(file, html);
  } catch (error) {
    const reason = (error as Error).message;
    throw new CommandError(
      `cannot write the report to ${file}: ${reason}; choose a file in a folder that exists and is writable`,
    );
  }
}

function summarizeReport(report: ReportSummary): string[] {
  const lines = [
    `Report on ${report.project?.id} (${report.project?.name}), stage ${report.project?.stage}, generated ${report.generatedAt}`,
  ];
  const candidate = report.evaluation?.candidate;
  if (candidate)
    lines.push(
      `  model ${candidate.modelVersionId}: test auc ${num(candidate.testMetrics.auc)}, ks ${num(candidate.testMetrics.ks)}`,
    );
  for (const approval of report.approvals ?? [])
    lines.push(`  ${approval.decision} by ${approval.approver} at ${approval.decidedAt}`);
  if (report.deployment)
    lines.push(
      `  deployment ${report.deployment.deploymentId} serves ${report.deployment.modelVersionId}`,
    );
  lines.push('  the full report: --json, or --html FILE for the page with charts');
  return lines;
}
