import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ProjectSpecSchema, type ProjectSpec } from '../../core/spec.js';
import { repoPath } from './temporal.js';

/**
 * Returns the credit-scoring example spec with absolute data paths and the
 * given overrides merged into its sections, for tests that need a real spec.
 */
export function creditSpec(
  overrides: { [K in keyof ProjectSpec]?: Partial<ProjectSpec[K]> } = {},
): ProjectSpec {
  const raw = parse(readFileSync(repoPath('examples/credit-scoring/spec.yaml'), 'utf8')) as Record<
    string,
    any
  >;
  raw['data'].source.path = repoPath('examples/credit-scoring/german_credit.data');
  raw['data'].format.columnsFile = repoPath('examples/credit-scoring/german_credit.columns.txt');
  const spec = ProjectSpecSchema.parse(raw);
  for (const [section, values] of Object.entries(overrides)) {
    const key = section as keyof ProjectSpec;
    const current: unknown = spec[key];
    (spec as Record<string, unknown>)[key] =
      current !== null && typeof current === 'object' && !Array.isArray(current)
        ? { ...(current as object), ...(values as object) }
        : values;
  }
  return ProjectSpecSchema.parse(spec);
}
