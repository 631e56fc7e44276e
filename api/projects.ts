import { createHash, randomInt } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { AppConfig } from '../core/config.js';
import { parseOrThrow, ValidationError } from '../core/errors.js';
import { findPathsOutsideRoots, resolveSpecPaths } from '../core/spec-file.js';
import { ProjectSpecSchema, type ProjectSpec } from '../core/spec.js';
import { stableStringify } from '../store/artifacts.js';
import { ProjectExistsError } from '../store/errors.js';
import type { ProjectRecord, Registry } from '../store/types.js';
import {
  approvePromotionUpdate,
  projectWorkflowId,
  rejectPromotionUpdate,
  runMonitoringUpdate,
  type ApprovalDecision,
  type MonitoringCheck,
  type ProjectState,
  type PromotionDecisionInput,
} from '../workflows/contracts.js';
import { conflict, invalidRequest, notFound } from './errors.js';
import { projectDetail } from './project-view.js';
import type { ProjectDetail } from './schemas.js';
import {
  executeProjectUpdate,
  queryProjectState,
  queryRunningTrials,
  startProjectWorkflow,
} from './workflow-calls.js';

/** How long an approval may wait for the workflow to accept or reject it. */
const APPROVAL_TIMEOUT_MS = 30_000;
/** A monitoring check reads the logged predictions and rewrites the report, so it gets longer. */
const MONITORING_TIMEOUT_MS = 120_000;

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ID_SUFFIX_LENGTH = 6;
const MAX_ID_LENGTH = 63;

/** Dependencies of the project service. */
export interface ProjectServiceDeps {
  config: AppConfig;
  registry: Registry;
  temporal: Client;
  logger: FastifyBaseLogger;
}

/** The body of the 201 response to POST /v1/projects. */
export interface CreatedProject {
  id: string;
  workflowId: string;
  stage: 'initiation';
  links: ProjectDetail['links'];
}

/** Starts projects, reads their state and passes decisions to their workflows. */
export class ProjectService {
  constructor(private readonly deps: ProjectServiceDeps) {}

  /**
   * Validates a spec, resolves its relative data paths against the first
   * data root, records the project and starts its workflow. The owner is
   * the spec's, else the submitter. Nothing is written when the spec is
   * invalid, and the record is deleted again when the workflow does not
   * start.
   *
   * @throws ApiError 400 for an invalid spec or a data path outside every
   *   data root, 409 when the id is taken, 503 or 500 when Temporal fails.
   */
  async create(
    input: unknown,
    options: { id?: string; submittedBy: string },
  ): Promise<CreatedProject> {
    const spec = this.validateSpec(input);
    const id = options.id ?? defaultProjectId(spec.name);
    const workflowId = projectWorkflowId(id);
    await this.record({ id, workflowId, spec, owner: spec.owner || options.submittedBy });

    try {
      await startProjectWorkflow(this.deps.temporal, {
        projectId: id,
        workflowId,
        spec,
        submittedBy: options.submittedBy,
      });
    } catch (error) {
      await this.undoCreate(id, error);
      throw error;
    }
    this.deps.logger.info(
      { projectId: id, workflowId, submittedBy: options.submittedBy },
      'project started',
    );
    return { id, workflowId, stage: 'initiation', links: this.links(id, workflowId) };
  }

  /** Returns projects newest first, as the registry orders them. */
  list(options: { limit: number; offset: number }): Promise<ProjectRecord[]> {
    return this.deps.registry.listProjects(options);
  }

  /**
   * Returns a project.
   *
   * @throws ApiError 404 when no project has this id.
   */
  async get(id: string): Promise<ProjectRecord> {
    const project = await this.deps.registry.getProject(id);
    if (!project) throw notFound(`project ${id} not found`);
    return project;
  }

  /**
   * Returns the project's live state from its workflow's status query, or
   * the registry's last snapshot when the query fails. `source` names which.
   *
   * @throws ApiError 404 when no project has this id.
   */
  async inspect(id: string): Promise<ProjectDetail> {
    const project = await this.get(id);
    const live = await queryProjectState(this.deps.temporal, project.workflowId, (error) =>
      this.deps.logger.warn(
        { projectId: id, workflowId: project.workflowId, reason: (error as Error).message },
        'status query failed; answering from the registry snapshot',
      ),
    );
    const state = live ?? (project.status as ProjectState | null);
    const running =
      live?.stage === 'training'
        ? await queryRunningTrials(this.deps.temporal, project.workflowId, (error) =>
            this.deps.logger.warn(
              { projectId: id, workflowId: project.workflowId, reason: (error as Error).message },
              'describing the workflow failed; answering without trial progress',
            ),
          )
        : [];
    const links = this.links(id, project.workflowId);
    return projectDetail(
      project,
      state,
      live ? 'workflow' : 'registry',
      links,
      new Date(),
      running,
    );
  }

  /**
   * Sends an approve or reject decision to the project's workflow.
   *
   * @throws ApiError 404 for an unknown project, 409 when the workflow
   *   rejects the decision (its message gives the reason) or has ended, 503
   *   when the workflow does not accept the decision in time.
   */
  async decide(
    id: string,
    decision: 'approve' | 'reject',
    input: PromotionDecisionInput,
  ): Promise<ApprovalDecision> {
    const project = await this.get(id);
    const update = decision === 'approve' ? approvePromotionUpdate : rejectPromotionUpdate;
    const result = await executeProjectUpdate(this.deps.temporal, {
      workflowId: project.workflowId,
      name: update.name,
      send: (handle) => handle.executeUpdate(update, { args: [input] }),
      timeoutMs: APPROVAL_TIMEOUT_MS,
      endedMessage: `${endedWorkflow(project)}, so no model awaits approval`,
    });
    this.deps.logger.info(
      { projectId: id, decision, approver: result.approver, modelVersionId: result.modelVersionId },
      'promotion decided',
    );
    return result;
  }

  /**
   * Runs a monitoring check now and returns it.
   *
   * @throws ApiError 404 for an unknown project, 409 when no model is
   *   serving or the workflow has ended, 503 when the workflow does not
   *   accept the request in time.
   */
  async runMonitoring(id: string): Promise<MonitoringCheck> {
    const project = await this.get(id);
    return executeProjectUpdate(this.deps.temporal, {
      workflowId: project.workflowId,
      name: runMonitoringUpdate.name,
      send: (handle) => handle.executeUpdate(runMonitoringUpdate),
      timeoutMs: MONITORING_TIMEOUT_MS,
      endedMessage: `${endedWorkflow(project)}, so no model is serving`,
    });
  }

  /** Returns the API and Temporal Web UI links of a project; the UI link is null unless the embedded dev server runs. */
  links(id: string, workflowId: string): ProjectDetail['links'] {
    const { config } = this.deps;
    const temporalUi = config.temporalAddress
      ? null
      : `http://127.0.0.1:${config.temporalUiPort}/namespaces/${encodeURIComponent(config.temporalNamespace)}/workflows/${encodeURIComponent(workflowId)}`;
    return { self: `/v1/projects/${id}`, report: `/v1/projects/${id}/report`, temporalUi };
  }

  private validateSpec(input: unknown): ProjectSpec {
    let parsed: ProjectSpec;
    try {
      parsed = parseOrThrow(ProjectSpecSchema, input, 'project spec');
    } catch (error) {
      if (error instanceof ValidationError) throw invalidRequest('body', error);
      throw error;
    }
    const spec = resolveSpecPaths(parsed, this.deps.config.dataRoots[0]!);
    const outside = findPathsOutsideRoots(spec, this.deps.config.dataRoots);
    if (outside.length > 0)
      throw invalidRequest('body', new ValidationError('project spec', outside));
    return spec;
  }

  private async record(project: {
    id: string;
    workflowId: string;
    spec: ProjectSpec;
    owner: string;
  }): Promise<void> {
    try {
      await this.deps.registry.createProject({
        ...project,
        name: project.spec.name,
        specSha256: specSha256(project.spec),
      });
    } catch (error) {
      if (error instanceof ProjectExistsError) throw conflict(error.message, error);
      throw error;
    }
  }

  private async undoCreate(id: string, cause: unknown): Promise<void> {
    try {
      await this.deps.registry.deleteProject(id);
    } catch (error) {
      // The project stays recorded without a workflow; the same id cannot be used again until it is removed.
      this.deps.logger.error(
        { projectId: id, err: error, cause: (cause as Error).message },
        'could not delete project after its workflow failed to start',
      );
    }
  }
}

/** Returns the start of the 409 message for an update sent to a project whose workflow has ended. */
function endedWorkflow(project: ProjectRecord): string {
  return `project ${project.id}'s workflow has ended (last recorded stage: ${project.stage})`;
}

/** Returns `<name>-<6 random lowercase letters or digits>`, shortening the name to keep the id within 63 characters. */
export function defaultProjectId(name: string): string {
  let suffix = '';
  for (let i = 0; i < ID_SUFFIX_LENGTH; i++) suffix += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  const prefix = name.slice(0, MAX_ID_LENGTH - ID_SUFFIX_LENGTH - 1).replace(/-+$/, '');
  return `${prefix}-${suffix}`;
}

/** Returns the SHA-256 of the spec's canonical JSON (object keys sorted). */
export function specSha256(spec: ProjectSpec): string {
  return createHash('sha256').update(stableStringify(spec)).digest('hex');
}
