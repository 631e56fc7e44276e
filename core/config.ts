import path from 'node:path';
import { z } from 'zod';
import { ValidationError, issuesFromZod } from './errors.js';

/**
 * Every setting Fullcycle reads, with the environment variable that sets it.
 * Values are validated once at start and frozen; `describeConfig` prints them
 * with secrets masked.
 */
const ENV_NAMES = {
  dataDir: 'FULLCYCLE_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  temporalAddress: 'TEMPORAL_ADDRESS',
  temporalNamespace: 'TEMPORAL_NAMESPACE',
  temporalPort: 'FULLCYCLE_TEMPORAL_PORT',
  temporalUiPort: 'FULLCYCLE_TEMPORAL_UI_PORT',
  temporalCli: 'FULLCYCLE_TEMPORAL_CLI',
  apiHost: 'FULLCYCLE_API_HOST',
  apiPort: 'FULLCYCLE_API_PORT',
  apiToken: 'FULLCYCLE_API_TOKEN',
  dataRoots: 'FULLCYCLE_DATA_ROOTS',
  tfBackend: 'FULLCYCLE_TF_BACKEND',
  trainingConcurrency: 'FULLCYCLE_TRAINING_CONCURRENCY',
  workerQueues: 'FULLCYCLE_WORKER_QUEUES',
  logLevel: 'FULLCYCLE_LOG_LEVEL',
} as const;

type ConfigKey = keyof typeof ENV_NAMES;

const SECRET_KEYS: ReadonlySet<ConfigKey> = new Set(['databaseUrl', 'apiToken']);

const port = z.coerce.number().int().min(1).max(65_535);

const ConfigSchema = z.object({
  dataDir: z.string().min(1),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  temporalAddress: z
    .string()
    .regex(/^[^\s:/]+:\d+$/, 'must be host:port, such as 127.0.0.1:7233')
    .optional(),
  temporalNamespace: z.string().min(1).default('default'),
  temporalPort: port.default(7233),
  temporalUiPort: port.default(8233),
  temporalCli: z.string().min(1).optional(),
  apiHost: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port, which tests use. */
  apiPort: z.coerce.number().int().min(0).max(65_535).default(8080),
  apiToken: z.string().min(16, 'must be at least 16 characters').optional(),
  dataRoots: z.array(z.string().min(1)).min(1),
  tfBackend: z.enum(['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu']).default('wasm'),
  trainingConcurrency: z.coerce.number().int().min(1).max(64).default(2),
  workerQueues: z
    .array(z.enum(['main', 'training-cpu', 'training-gpu']))
    .min(1)
    .default(['main', 'training-cpu']),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type AppConfig = Readonly<z.infer<typeof ConfigSchema>>;

/**
 * Reads the configuration from environment variables. Relative paths are
 * resolved against `cwd`. Throws a ValidationError naming each invalid
 * variable, its value and what is allowed.
 */
export function loadConfig(env: Record<string, string | undefined>, cwd: string): AppConfig {
  const dataDir = path.resolve(cwd, env[ENV_NAMES.dataDir] || '.fullcycle');
  const raw: Record<ConfigKey, unknown> = {
    dataDir,
    databaseUrl: env[ENV_NAMES.databaseUrl] || undefined,
    temporalAddress: env[ENV_NAMES.temporalAddress] || undefined,
    temporalNamespace: env[ENV_NAMES.temporalNamespace] || undefined,
    temporalPort: env[ENV_NAMES.temporalPort] || undefined,
    temporalUiPort: env[ENV_NAMES.temporalUiPort] || undefined,
    temporalCli: resolveOptional(cwd, env[ENV_NAMES.temporalCli]),
    apiHost: env[ENV_NAMES.apiHost] || undefined,
    apiPort: env[ENV_NAMES.apiPort] || undefined,
    apiToken: env[ENV_NAMES.apiToken] || undefined,
    dataRoots: listOrDefault(env[ENV_NAMES.dataRoots], [
      path.resolve(cwd, 'examples'),
      path.join(dataDir, 'uploads'),
    ]).map((root) => path.resolve(cwd, root)),
    tfBackend: env[ENV_NAMES.tfBackend] || undefined,
    trainingConcurrency: env[ENV_NAMES.trainingConcurrency] || undefined,
    workerQueues: listOrDefault(env[ENV_NAMES.workerQueues], undefined),
    logLevel: env[ENV_NAMES.logLevel] || undefined,
  };
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = issuesFromZod(result.error, raw).map((issue) => {
      const key = issue.path.split('.')[0] as ConfigKey;
      const renamed = { ...issue, path: ENV_NAMES[key] + issue.path.slice(key.length) };
      // Never echo a secret, even an invalid one.
      if (SECRET_KEYS.has(key) && 'value' in renamed) renamed.value = '***';
      return renamed;
    });
    throw new ValidationError('configuration', issues);
  }
  return Object.freeze(result.data);
}

/** Returns the configuration keyed by environment variable, with secrets masked, for printing at start. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  const described: Record<string, unknown> = {};
  for (const [key, envName] of Object.entries(ENV_NAMES) as [ConfigKey, string][]) {
    described[envName] = config[key];
  }
  described[ENV_NAMES.databaseUrl] = config.databaseUrl
    ? maskUrlPassword(config.databaseUrl)
    : '(unset: embedded PGlite)';
  described[ENV_NAMES.apiToken] = config.apiToken ? '(set)' : '(unset: no authentication)';
  described[ENV_NAMES.temporalAddress] = config.temporalAddress ?? '(unset: embedded dev server)';
  return described;
}

/** Replaces the password of a connection URL with `***`. */
export function maskUrlPassword(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]+:)[^@]*@/i, '$1***@');
}

function listOrDefault<T>(value: string | undefined, fallback: T): string[] | T {
  if (!value) return fallback;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function resolveOptional(cwd: string, value: string | undefined): string | undefined {
  return value ? path.resolve(cwd, value) : undefined;
}
