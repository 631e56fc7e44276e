import { describe, expect, it } from 'vitest';
import { describeConfig, loadConfig, maskUrlPassword } from '../../core/config.js';
import { ValidationError } from '../../core/errors.js';

describe('loadConfig', () => {
  it('applies defaults under the working folder', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config.dataDir).toBe('/srv/app/.fullcycle');
    expect(config.dataRoots).toEqual(['/srv/app/examples', '/srv/app/.fullcycle/uploads']);
    expect(config.apiHost).toBe('127.0.0.1');
    expect(config.apiPort).toBe(8080);
    expect(config.workerQueues).toEqual(['main', 'training-cpu']);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names the variable of an invalid value', () => {
    const error = (() => {
      try {
        loadConfig({ FULLCYCLE_API_PORT: '99999', FULLCYCLE_TF_BACKEND: 'cuda' }, '/srv');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues.map((issue) => issue.path)).toEqual(['FULLCYCLE_API_PORT', 'FULLCYCLE_TF_BACKEND']);
    expect(issues[1]?.value).toBe('cuda');
  });

  it('hides an invalid secret', () => {
    expect(() => loadConfig({ FULLCYCLE_API_TOKEN: 'short-token' }, '/srv')).toThrow(
      'configuration is invalid: FULLCYCLE_API_TOKEN: must be at least 16 characters (got "***")',
    );
  });

  it('splits worker queues and data roots', () => {
    const config = loadConfig(
      { FULLCYCLE_WORKER_QUEUES: 'training-gpu, main', FULLCYCLE_DATA_ROOTS: 'data, /mnt/shared' },
      '/srv',
    );
    expect(config.workerQueues).toEqual(['training-gpu', 'main']);
    expect(config.dataRoots).toEqual(['/srv/data', '/mnt/shared']);
  });
});

describe('describeConfig', () => {
  it('masks secrets', () => {
    const config = loadConfig(
      { DATABASE_URL: 'postgres://app:s3cret@db:5432/fc', FULLCYCLE_API_TOKEN: 'a'.repeat(20) },
      '/srv',
    );
    const described = describeConfig(config);
    expect(described['DATABASE_URL']).toBe('postgres://app:***@db:5432/fc');
    expect(described['FULLCYCLE_API_TOKEN']).toBe('(set)');
    expect(JSON.stringify(described)).not.toContain('s3cret');
    expect(JSON.stringify(described)).not.toContain('a'.repeat(20));
  });

  it('leaves a URL without password alone', () => {
    expect(maskUrlPassword('postgres://app@db/fc')).toBe('postgres://app@db/fc');
  });
});
