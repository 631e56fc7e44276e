import { createHash } from 'node:crypto';
import { Context, log } from '@temporalio/activity';
import { buildTypedDataset, canonicalDatasetJson } from '../core/dataset.js';
import { serializeEncodedSplits, type EncodedSplit } from '../core/encoded.js';
import { fitPreprocessor, transformRows } from '../core/preprocess.js';
import { profileDataset } from '../core/profile.js';
import { stratifiedSplit } from '../core/split.js';
import type { DataProfile, FittedPreprocessor, SplitIndices, TypedDataset } from '../core/types.js';
import type { ActivityDeps } from './deps.js';
import { readSourceTable } from './source.js';
import type { ProjectActivities } from './types.js';

type DataActivities = Pick<
  ProjectActivities,
  'ingestDataset' | 'prepareDataset' | 'profileDataset' | 'registerDatasetVersion'
>;

/**
 * Stage 2: ingest and validate, clean and split, profile, and register a
 * dataset version. Each step stores its output in the artifact store and
 * returns references, so a retried step redoes only its own work.
 */
export function createDataActivities(deps: ActivityDeps): DataActivities {
  const { artifacts, registry } = deps;
  const encoder = new TextEncoder();

  return {
    ingestDataset: async ({ data }) => {
      const source = await readSourceTable(data, deps.config.dataRoots);
      Context.current().heartbeat('parsed');
      const typed = buildTypedDataset(source.table, data, source.columnNames);
      const dataset = await artifacts.put(
        encoder.encode(canonicalDatasetJson(typed)),
        'application/json',
      );
      const positives = typed.labels.reduce((sum, label) => sum + label, 0);
      log.info('Dataset ingested', {
        rows: typed.labels.length,
        features: typed.features.length,
        sha256: dataset.sha256,
      });
      return {
        dataset,
        sourcePath: source.path,
        sourceSha256: createHash('sha256').update(source.bytes).digest('hex'),
        rows: typed.labels.length,
        positives,
        features: typed.features.map(({ name, type }) => ({ name, type })),
      };
    },

    prepareDataset: async ({ data, dataset }) => {
      const typed = await artifacts.getJson<TypedDataset>(dataset);
      const splits = stratifiedSplit(typed.labels, data.split, data.split.seed);
      const preprocessor = fitPreprocessor(typed, splits.train, data.preprocessing);
      const encoded = serializeEncodedSplits({
        featureNames: preprocessor.encodedNames,
        train: encodeSplit(typed, splits.train, preprocessor),
        validation: encodeSplit(typed, splits.validation, preprocessor),
        test: encodeSplit(typed, splits.test, preprocessor),
      });
      return {
        splits: await artifacts.putJson(splits satisfies SplitIndices),
        preprocessor: await artifacts.putJson(preprocessor satisfies FittedPreprocessor),
        encoded: await artifacts.put(encoded, 'application/vnd.fullcycle.encoded-splits'),
        splitRows: {
          train: splits.train.length,
          validation: splits.validation.length,
          test: splits.test.length,
        },
        encodedFeatures: preprocessor.encodedNames.length,
      };
    },

    profileDataset: async ({ dataset }) => {
      const typed = await artifacts.getJson<TypedDataset>(dataset);
      const profile = profileDataset(typed);
      return { profile: await artifacts.putJson(profile satisfies DataProfile) };
    },

    registerDatasetVersion: async ({ projectId, ingest, prepared, profile }) => {
      const summary = await artifacts.getJson<DataProfile>(profile);
      const version = await registry.upsertDatasetVersion({
        id: ingest.dataset.sha256,
        projectId,
        sourcePath: ingest.sourcePath,
        sourceSha256: ingest.sourceSha256,
        rows: ingest.rows,
        columns: ingest.features,
        artifacts: {
          dataset: ingest.dataset,
          splits: prepared.splits,
          preprocessor: prepared.preprocessor,
          encoded: prepared.encoded,
          profile,
        },
        profileSummary: {
          rows: summary.rows,
          positives: summary.positives,
          positiveRate: summary.positiveRate,
        },
      });
      await registry.appendAudit({
        projectId,
        actor: 'fullcycle',
        action: 'dataset_version_registered',
        details: { datasetVersionId: version.id, rows: version.rows },
      });
      return {
        versionId: version.id,
        sha256: ingest.dataset.sha256,
        rows: ingest.rows,
        features: ingest.features.length,
        encodedFeatures: prepared.encodedFeatures,
        splitRows: prepared.splitRows,
        positiveRate: summary.positiveRate,
        artifacts: version.artifacts,
      };
    },
  };
}

function encodeSplit(
  typed: TypedDataset,
  indices: number[],
  preprocessor: FittedPreprocessor,
): EncodedSplit {
  return {
    x: transformRows(typed, indices, preprocessor),
    y: Float32Array.from(indices, (row) => typed.labels[row]!),
  };
}
