/**
 * Registry ids that retried activities must derive the same way every time,
 * so that a retry updates the row it wrote before instead of adding one.
 */

/** Trial id in the registry: unique within a project across retraining runs on other data. */
export function trialRecordId(datasetVersionId: string, trialId: string): string {
  return `${datasetVersionId.slice(0, 12)}-${trialId}`;
}

/** Model version id: the project, the data it learned from and the trial that produced it. */
export function modelVersionId(
  projectId: string,
  datasetVersionId: string,
  trialId: string,
): string {
  return `${projectId}-${trialRecordId(datasetVersionId, trialId)}`;
}
