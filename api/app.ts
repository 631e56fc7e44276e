import type { Client } from '@temporalio/client';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import type { AppConfig } from '../core/config.js';
import type { ArtifactStore, Registry } from '../store/types.js';
import { registerBearerAuth } from './auth.js';
import { registerBodyChecks } from './body-checks.js';
import { handleFrameworkError, registerErrorHandlers } from './errors.js';
import { BODY_LIMIT_BYTES, handleClientError, MAX_PARAM_LENGTH } from './fastify-errors.js';
import { registerOpenApi, useZodCompilers } from './openapi.js';
import { ProjectService } from './projects.js';
import { registerApprovalRoutes } from './routes/approvals.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMonitoringRoutes } from './routes/monitoring.js';
import { registerPredictionRoutes } from './routes/predictions.js';
import { registerProjectRoutes } from './routes/projects.js';
import { registerReportRoutes } from './routes/reports.js';
import { PredictionService, ScorerCache } from './serving.js';

/** Dependencies that the process running the API provides. */
export interface AppDeps {
  config: AppConfig;
  registry: Registry;
  artifacts: ArtifactStore;
  temporal: Client;
  /**
   * The request logger. false (the default) logs nothing, and true logs at
   * config.logLevel. A logger instance such as pino's is used as it is, and
   * any other object is passed to fastify as pino options.
   */
  logger?:
    boolean | FastifyBaseLogger | Exclude<FastifyServerOptions['logger'], boolean | undefined>;
  /** Checks the database for /healthz; by default the registry lists one project. */
  probeDatabase?: () => Promise<void>;
}

/** The services that route handlers call. */
export interface ApiServices {
  projects: ProjectService;
  predictions: PredictionService;
  registry: Registry;
  artifacts: ArtifactStore;
  temporal: Client;
  probeDatabase?: () => Promise<void>;
}

/**
 * Builds the HTTP API: routes under /v1, /healthz and the OpenAPI docs under
 * /docs, with one error shape for every 4xx and 5xx, including those that
 * fastify and Node's HTTP parser raise before a route runs. It does not listen;
 * the caller listens (on 127.0.0.1 unless configured otherwise) and closes
 * it, which releases the loaded models. The Temporal client and the stores
 * stay open: they belong to the caller.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...loggerOptions(deps),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: handleClientError,
  });

  useZodCompilers(app);
  registerErrorHandlers(app);
  // Only JSON, and YAML for specs, are bodies; fastify would also pass text/plain through as a string.
  app.removeContentTypeParser('text/plain');
  registerBodyChecks(app);
  await registerOpenApi(app);
  registerBearerAuth(app, deps.config.apiToken);

  const scorers = new ScorerCache(deps.artifacts, app.log);
  app.addHook('onClose', async () => scorers.close());
  const services: ApiServices = {
    projects: new ProjectService({
      config: deps.config,
      registry: deps.registry,
      temporal: deps.temporal,
      logger: app.log,
    }),
    predictions: new PredictionService(deps.registry, scorers),
    registry: deps.registry,
    artifacts: deps.artifacts,
    temporal: deps.temporal,
    probeDatabase: deps.probeDatabase,
  };

  registerHealthRoutes(app, services);
  registerProjectRoutes(app, services);
  registerApprovalRoutes(app, services);
  registerPredictionRoutes(app, services);
  registerMonitoringRoutes(app, services);
  registerReportRoutes(app, services);
  await app.ready();
  return app;
}

function loggerOptions(deps: AppDeps): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  const { logger } = deps;
  if (logger === true) return { logger: { level: deps.config.logLevel } };
  if (!logger) return { logger: false };
  // fastify 5 takes a ready logger only as loggerInstance.
  if (typeof (logger as FastifyBaseLogger).child === 'function')
    return { loggerInstance: logger as FastifyBaseLogger };
  return { logger: logger as Exclude<FastifyServerOptions['logger'], boolean | undefined> };
}
