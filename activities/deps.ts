import type { AppConfig } from '../core/config.js';
import type { ArtifactStore, Registry } from '../store/types.js';

/** Dependencies of the activity factories, passed in so tests can use real stores or small fakes. */
export interface ActivityDeps {
  registry: Registry;
  artifacts: ArtifactStore;
  config: AppConfig;
}

/** Dependencies of the training activities. Trials read and write artifacts only, never the registry. */
export type TrainingDeps = Pick<ActivityDeps, 'artifacts' | 'config'>;
