import type { ArtifactStore, Registry } from '../store/types.js';
import { notFound } from './errors.js';

/** The latest delivery report in one format. */
export type ReportContent = { format: 'json'; report: unknown } | { format: 'html'; html: Buffer };

/**
 * Reads the project's latest delivery report from the artifact store.
 *
 * @throws ApiError 404 when the project is unknown or has no report yet.
 *   The message gives the project's stage, because a report is written
 *   only once a model is deployed.
 */
export async function readLatestReport(
  deps: { registry: Registry; artifacts: ArtifactStore },
  projectId: string,
  format: 'json' | 'html',
): Promise<ReportContent> {
  const project = await deps.registry.getProject(projectId);
  if (!project) throw notFound(`project ${projectId} not found`);
  const report = await deps.registry.getLatestReport(projectId);
  if (!report) {
    throw notFound(
      `project ${projectId} has no report yet; it is in stage ${project.stage}, and the report is written after deployment`,
    );
  }
  if (format === 'html') return { format, html: await deps.artifacts.get(report.html) };
  return { format, report: await deps.artifacts.getJson<unknown>(report.json) };
}
