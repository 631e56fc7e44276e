/**
 * Request and response shapes of the HTTP API. Requests are validated with
 * these schemas; responses use them for the OpenAPI document only.
 */
import { z } from 'zod';
import { END_STATES, STAGES } from '../workflows/contracts.js';

/** The maximum number of rows in one prediction request. */
export const MAX_PREDICTION_ROWS = 1000;

/** A project id: the same rule as a spec name, 3-63 lowercase letters, digits or dashes. */
export const ProjectIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
    'must be 3-63 lowercase letters, digits or dashes, starting and ending with a letter or digit',
  );

export const ProjectParamsSchema = z.object({ id: ProjectIdSchema });

export const CreateProjectQuerySchema = z.strictObject({
  id: ProjectIdSchema.optional().describe(
    'Project id; by default the spec name and 6 random characters',
  ),
});

export const ListProjectsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const ReportQuerySchema = z.strictObject({
  format: z
    .enum(['json', 'html'])
    .optional()
    .describe('Defaults to html when Accept prefers text/html, else json'),
});

export const ApprovalBodySchema = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  approver: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('Defaults to the x-fullcycle-user header'),
  comment: z.string().max(2000).optional(),
  modelVersionId: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Applies the decision only if this version awaits it'),
});
export type ApprovalBody = z.infer<typeof ApprovalBodySchema>;

const FeatureRowSchema = z
  .record(z.string(), z.unknown())
  .describe('Feature name to value; null when unknown');

export const PredictBodySchema = z
  .strictObject({
    rows: z.array(FeatureRowSchema).min(1).max(MAX_PREDICTION_ROWS).optional(),
    row: FeatureRowSchema.optional(),
  })
  .superRefine((body, context) => {
    if (body.rows === undefined && body.row === undefined) {
      context.addIssue({
        code: 'custom',
        path: [],
        message: 'send rows (an array of objects) or row (one object)',
      });
    } else if (body.rows !== undefined && body.row !== undefined) {
      context.addIssue({ code: 'custom', path: [], message: 'send either rows or row, not both' });
    }
  });
export type PredictBody = z.infer<typeof PredictBodySchema>;

const IssueSchema = z.object({
  part: z.enum(['body', 'query', 'params']),
  path: z.string(),
  value: z.unknown().optional(),
  message: z.string(),
});

export const ErrorBodySchema = z.object({
  error: z.enum([
    'invalid_request',
    'not_found',
    'conflict',
    'unauthorized',
    'unavailable',
    'internal',
  ]),
  message: z.string(),
  issues: z.array(IssueSchema).optional(),
});

const StageSchema = z.enum([...STAGES, ...END_STATES]);
const MetricsSchema = z.record(z.string(), z.number());
const ParamsSchema = z.record(z.string(), z.unknown()).describe('Hyperparameters of the trial');
const ArtifactRefSchema = z.object({
  uri: z.string(),
  sha256: z.string(),
  sizeBytes: z.number(),
  mediaType: z.string(),
});

export const LinksSchema = z.object({
  self: z.string(),
  report: z.string(),
  temporalUi: z
    .string()
    .nullable()
    .describe('Set when the API uses the embedded Temporal dev server'),
});

export const CreatedProjectSchema = z.object({
  id: z.string(),
  workflowId: z.string(),
  stage: StageSchema,
  links: LinksSchema,
});

export const ProjectListSchema = z.object({
  projects: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      owner: z.string(),
      stage: z.string(),
      workflowId: z.string(),
      createdAt: z.string(),
      updatedAt: z.string(),
    }),
  ),
  limit: z.number(),
  offset: z.number(),
});

export const ApprovalDecisionSchema = z.object({
  decision: z.enum(['approve', 'reject', 'expire']),
  approver: z.string(),
  comment: z.string(),
  modelVersionId: z.string(),
  channel: z.enum(['update', 'signal', 'timer']),
  decidedAt: z.string(),
});

export const MonitoringCheckSchema = z.object({
  checkedAt: z.string(),
  predictions: z.number(),
  drift: z.array(
    z.object({
      feature: z.string(),
      type: z.enum(['numeric', 'categorical']),
      psi: z.number(),
      bins: z.array(z.object({ label: z.string(), reference: z.number(), current: z.number() })),
    }),
  ),
  maxPsi: z.number().nullable(),
  alerts: z.array(z.string()),
});

export const ProjectDetailSchema = z.object({
  id: z.string(),
  name: z.string(),
  workflowId: z.string(),
  source: z
    .enum(['workflow', 'registry'])
    .describe('workflow: live status query; registry: last recorded snapshot'),
  stage: z.string(),
  stageHistory: z.array(
    z.object({
      stage: StageSchema,
      startedAt: z.string(),
      endedAt: z.string().nullable(),
      durationMs: z.number().describe('Elapsed so far while the stage runs'),
      outcome: z.enum(['running', 'completed', 'failed']),
    }),
  ),
  dataset: z
    .object({
      versionId: z.string(),
      sha256: z.string(),
      rows: z.number(),
      features: z.number(),
      encodedFeatures: z.number(),
      splitRows: z.object({ train: z.number(), validation: z.number(), test: z.number() }),
      positiveRate: z.number(),
    })
    .nullable(),
  trials: z.array(
    z.object({
      id: z.string(),
      params: ParamsSchema,
      status: z.enum(['completed', 'failed']),
      epochs: z.number(),
      queue: z.string(),
      validationMetrics: MetricsSchema.nullable(),
      error: z.string().nullable(),
    }),
  ),
  runningTrials: z
    .array(
      z.object({
        trialId: z.string().nullable().describe('Null until the first epoch ends'),
        epoch: z.number(),
        epochs: z.number().nullable(),
        validationLoss: z.number().nullable(),
        attempt: z.number(),
      }),
    )
    .describe('Trials training now, with their latest epoch; empty outside the training stage'),
  candidate: z
    .object({
      modelVersionId: z.string(),
      version: z.number(),
      trialId: z.string(),
      params: ParamsSchema,
      validationMetrics: MetricsSchema,
      testMetrics: MetricsSchema,
      gates: z.array(
        z.object({
          metric: z.string(),
          value: z.number(),
          min: z.number().optional(),
          max: z.number().optional(),
          passed: z.boolean(),
        }),
      ),
    })
    .nullable(),
  pendingApproval: z
    .object({ modelVersionId: z.string(), requestedAt: z.string(), deadline: z.string() })
    .nullable(),
  approval: ApprovalDecisionSchema.nullable(),
  deployment: z
    .object({
      deploymentId: z.string(),
      modelVersionId: z.string(),
      onnx: ArtifactRefSchema,
      deployedAt: z.string(),
      onnxMaxAbsDiff: z.number(),
    })
    .nullable(),
  monitoring: z.object({ checks: z.number(), last: MonitoringCheckSchema.nullable() }),
  error: z.object({ stage: z.string(), type: z.string(), message: z.string() }).nullable(),
  links: LinksSchema,
});
export type ProjectDetail = z.infer<typeof ProjectDetailSchema>;

export const PredictResponseSchema = z.object({
  projectId: z.string(),
  deploymentId: z.string(),
  modelVersionId: z.string(),
  threshold: z.number(),
  predictions: z.array(
    z.object({ probability: z.number(), label: z.union([z.literal(0), z.literal(1)]) }),
  ),
});
export type PredictResponse = z.infer<typeof PredictResponseSchema>;

export const ReportSchema = z
  .record(z.string(), z.unknown())
  .describe('The delivery report (model card) as JSON');

export const HealthSchema = z.object({
  status: z.literal('ok'),
  database: z.literal('ok'),
  temporal: z.literal('ok'),
});

export const HealthFailureSchema = ErrorBodySchema.extend({
  checks: z.object({ database: z.string(), temporal: z.string() }),
});
