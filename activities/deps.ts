import type { AppConfig } from '../core/config.js';
import type { ArtifactStore, Registry } from '../store/types.js';

/** What activity factories receive, so tests can pass real stores or small fakes. */
export interface ActivityDeps {
  registry: Registry;
  artifacts: ArtifactStore;
  config: AppConfig;
}

/** What training activities receive: trials read and write artifacts only, never the registry. */
export type TrainingDeps = Pick<ActivityDeps, 'artifacts' | 'config'>;
