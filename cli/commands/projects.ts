import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CreatedProject } from '../../api/projects.js';
import type { ProjectDetail } from '../../api/schemas.js';
import { parseSpecText, resolveSpecPaths, specFormatOf } from '../../core/spec-file.js';
import {
  parseCommandArgs,
  printJson,
  projectPath,
  UsageError,
  type HttpCommand,
} from './common.js';
import { describeProject, table } from './format.js';

interface ProjectList {
  projects: { id: string; name: string; owner: string; stage: string; updatedAt: string }[];
}

/** `submit`: reads a spec file, resolves its data paths against the file's folder and starts the project. */
export const submitCommand: HttpCommand = {
  name: 'submit',
  usage: '<spec.yaml|spec.json> [--id ID] [--json]',
  summary: 'Submit a project spec and start its workflow',
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(
      args,
      { id: { type: 'string' }, json: { type: 'boolean' } },
      ['SPEC_FILE'],
    );
    const file = path.resolve(context.cwd, positionals[0]!);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read spec file ${file}: ${(error as Error).message}`);
    }
    const spec = resolveSpecPaths(
      parseSpecText(text, specFormatOf(file), file),
      path.dirname(file),
    );
    const created = await context.client.json<CreatedProject>({
      method: 'POST',
      path: '/v1/projects',
      query: { id: values.id },
      body: spec,
    });
    if (values.json) return printJson(context, created);

    context.print(`Project ${created.id} started (workflow ${created.workflowId}).`);
    context.print(`  follow it:  fullcycle status ${created.id}`);
    if (created.links.temporalUi) context.print(`  Temporal:   ${created.links.temporalUi}`);
  },
};

/** `list`: shows projects newest first. */
export const listCommand: HttpCommand = {
  name: 'list',
  usage: '[--limit N] [--offset N] [--json]',
  summary: 'List projects, newest first',
  async run(args, context) {
    const options = {
      limit: { type: 'string' },
      offset: { type: 'string' },
      json: { type: 'boolean' },
    } as const;
    const { values } = parseCommandArgs(args, options, []);
    const list = await context.client.json<ProjectList>({
      method: 'GET',
      path: '/v1/projects',
      query: { limit: values.limit, offset: values.offset },
    });
    if (values.json) return printJson(context, list);
    if (list.projects.length === 0)
      return context.print('No projects yet. Submit one with: fullcycle submit SPEC_FILE');

    const rows = list.projects.map((project) => [
      project.id,
      project.stage,
      project.owner,
      project.updatedAt,
    ]);
    for (const line of table([['ID', 'STAGE', 'OWNER', 'UPDATED'], ...rows])) context.print(line);
  },
};

/** `status`: shows one project's stages, trials, candidate, approval and deployment. */
export const statusCommand: HttpCommand = {
  name: 'status',
  usage: '<id> [--json]',
  summary: "Show a project's stage, trials, candidate and deployment",
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, [
      'PROJECT_ID',
    ]);
    const project = await context.client.json<ProjectDetail>({
      method: 'GET',
      path: projectPath(positionals[0]!),
    });
    if (values.json) return printJson(context, project);
    for (const line of describeProject(project)) context.print(line);
  },
};
