/**
 * The HTTP commands of the CLI against the real app listening on 127.0.0.1,
 * a real registry and a Temporal dev server with no worker.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ApiClient } from '../../cli/client.js';
import {
  HTTP_COMMANDS_HELP,
  runHttpCommand,
  type HttpCommandOptions,
} from '../../cli/commands/index.js';
import { createDevServerEnv } from '../support/temporal.js';
import { EXAMPLES_ROOT, smallCreditSpec, startApiHarness, type ApiHarness } from './harness.js';

let env: TestWorkflowEnvironment;
let h: ApiHarness;
let client: ApiClient;
/** The working folder of the commands; its `data` subfolder is an allowed data root. */
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'fullcycle-cli-'));
  const dataRoot = path.join(folder, 'data');
  await mkdir(dataRoot);
  for (const name of ['german_credit.data', 'german_credit.columns.txt']) {
    await copyFile(path.join(EXAMPLES_ROOT, 'credit-scoring', name), path.join(dataRoot, name));
  }
  env = await createDevServerEnv();
  h = await startApiHarness({
    backend: 'pglite',
    env,
    configEnv: { FULLCYCLE_DATA_ROOTS: `${EXAMPLES_ROOT},${dataRoot}` },
  });
  const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
  client = new ApiClient({ baseUrl: address, user: 'ana' });
});

afterAll(async () => {
  await h?.close();
  await env?.teardown();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** Runs a command in `folder` and returns its exit code and output. */
async function cli(
  ...argv: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return cliWith({ client }, ...argv);
}

/** Runs a command in `folder` with the given client or environment. */
async function cliWith(
  options: HttpCommandOptions,
  ...argv: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await runHttpCommand(argv, io, { cwd: folder, ...options });
  return { code, stdout, stderr };
}

/** Builds a client whose every request gets `response` from a stub fetch, so no server is contacted. */
function stubClient(response: () => Response): ApiClient {
  return new ApiClient({ baseUrl: 'http://127.0.0.1:9', fetch: async () => response() });
}

/** Writes the small credit spec to `file`, with data paths relative to the file's folder. */
async function writeSpec(file: string, name: string): Promise<void> {
  const spec = smallCreditSpec(name) as {
    data: { source: { path: string }; format: { columnsFile: string } };
  };
  spec.data.source.path = 'german_credit.data';
  spec.data.format.columnsFile = 'german_credit.columns.txt';
  await writeFile(file, stringify(spec));
}

describe('fullcycle HTTP commands', () => {
  it('returns null for foreign command', async () => {
    expect(await cli('dev')).toEqual({ code: null, stdout: '', stderr: '' });
  });

  it('submit resolves paths against file', async () => {
    const id = `cli-${randomUUID().slice(0, 8)}`;
    await writeSpec(path.join(folder, 'data', 'spec.yaml'), 'credit-cli');

    const result = await cli('submit', 'data/spec.yaml', '--id', id, '--json');

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      id,
      workflowId: `project-${id}`,
      stage: 'initiation',
    });
    const record = await h.registry.getProject(id);
    expect(record?.spec.data.source.path).toBe(path.join(folder, 'data', 'german_credit.data'));
    expect(record?.spec.data.format.columnsFile).toBe(
      path.join(folder, 'data', 'german_credit.columns.txt'),
    );
  });

  it('prints issues of rejected spec', async () => {
    await writeSpec(path.join(folder, 'outside.yaml'), 'credit-cli');

    const result = await cli('submit', 'outside.yaml');

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: the API rejected the request \(HTTP 400, 2 issues\):\n/);
    expect(result.stderr).toContain(
      `  body data.source.path: must be a file inside one of the allowed data roots (${EXAMPLES_ROOT}, ${path.join(folder, 'data')})`,
    );
  });

  it('reports the YAML error line', async () => {
    await writeFile(path.join(folder, 'broken.yaml'), 'name: credit\ndata:\n  source: [file\n');

    const result = await cli('submit', 'broken.yaml');

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/invalid YAML at line 4, column 1/);
  });

  it('lists projects as a table', async () => {
    const result = await cli('list');

    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(/^ID\s+STAGE\s+OWNER\s+UPDATED$/);
    expect(result.stdout).toContain('credit-risk-team');
  });

  it('exits 1 for unknown project', async () => {
    const result = await cli('status', 'nobody-here');

    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: project nobody-here not found\n');
  });

  it.each([
    [['status'], 'missing PROJECT_ID'],
    [
      ['approve', 'some-project'],
      'missing --approver NAME: the decision is recorded under this name',
    ],
    [['predict', 'some-project'], 'give exactly one of --rows FILE.json and --row JSON'],
    [['predict', 'some-project', '--row', '{oops'], /^--row is not valid JSON: /],
    [['list', '--colour'], /^Unknown option '--colour'/],
    [['submit', 'missing.yaml'], /^cannot read spec file .*missing\.yaml: ENOENT/],
  ])('exits 2 for usage %j', async (argv, message) => {
    const result = await cli(...argv);

    expect(result.code).toBe(2);
    const [first, second] = result.stderr.split('\n');
    expect(first!.replace(/^error: /, '')).toMatch(
      message instanceof RegExp ? message : new RegExp(`^${escape(message)}$`),
    );
    expect(second).toMatch(new RegExp(`^usage: fullcycle ${argv[0]} `));
  });

  it('predict reports 409 before deployment', async () => {
    const id = `cli-${randomUUID().slice(0, 8)}`;
    await writeSpec(path.join(folder, 'data', 'spec.yaml'), 'credit-cli');
    await cli('submit', 'data/spec.yaml', '--id', id);

    const result = await cli('predict', id, '--row', '{"duration_months": 12}');

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: project ${id} has no deployed model (last recorded stage: created)\n`,
    );
  });

  it('prints help for HTTP commands', async () => {
    const result = await cli('help');

    expect(result.code).toBe(0);
    for (const name of [
      'submit',
      'list',
      'status',
      'approve',
      'reject',
      'predict',
      'monitor',
      'report',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });

  it('report exits 1 before deployment', async () => {
    const id = `cli-${randomUUID().slice(0, 8)}`;
    await writeSpec(path.join(folder, 'data', 'spec.yaml'), 'credit-cli');
    await cli('submit', 'data/spec.yaml', '--id', id);

    const result = await cli('report', id, '--html', 'report.html');

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: project \S+ has no report yet/);
    await expect(readFile(path.join(folder, 'report.html'))).rejects.toThrow(/ENOENT/);
  });
});

describe('fullcycle HTTP command failures', () => {
  it('exits 2 for invalid API URL', async () => {
    const result = await cliWith({ env: { FULLCYCLE_API_URL: 'not-a-url' } }, 'list');

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: FULLCYCLE_API_URL "not-a-url" is not an http:// or https:// URL; ' +
        "set it to the API's address, such as http://127.0.0.1:8080\n",
    );
  });

  it('exits 2 for token with line break', async () => {
    const result = await cliWith({ env: { FULLCYCLE_API_TOKEN: 'secret\nvalue' } }, 'list');

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: FULLCYCLE_API_TOKEN contains line breaks, control characters .*\n$/,
    );
    expect(result.stderr).not.toContain('secret');
  });

  it('exits 1 when report cannot be written', async () => {
    const html = stubClient(
      () => new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } }),
    );

    const result = await cliWith(
      { client: html },
      'report',
      'some-project',
      '--html',
      '/proc/nope/x.html',
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: cannot write the report to \/proc\/nope\/x\.html: ENOENT[^\n]*writable\n$/,
    );
  });

  it('exits 1 for a response that is not JSON', async () => {
    const proxy = stubClient(
      () => new Response('<html>proxy</html>', { headers: { 'content-type': 'text/html' } }),
    );

    const result = await cliWith({ client: proxy }, 'list');

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: the server at http://127.0.0.1:9 sent a response that is not JSON (HTTP 200, text/html); ' +
        'check that FULLCYCLE_API_URL is the address of the Fullcycle API\n',
    );
  });

  it('prints one line for an unexpected failure', async () => {
    const broken = stubClient(
      () =>
        new Response(
          new ReadableStream({
            start: (controller) => controller.error(new Error('connection reset')),
          }),
        ),
    );

    const result = await cliWith({ client: broken }, 'list');

    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: list failed: connection reset\n');
  });

  it('prints one line for a YAML alias bomb', async () => {
    const lines = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
    ];
    lines.push(
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    );
    await writeFile(path.join(folder, 'bomb.yaml'), `${lines.join('\n')}\n`);

    const result = await cli('submit', 'bomb.yaml');

    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toMatch(
      /^error: \S+bomb\.yaml is invalid: \(root\): invalid YAML: its aliases \(\*name\) expand/,
    );
  });

  it('escapes control characters from the API', async () => {
    const owner = 'ops\u001b[2J\u009b31m\u0007team';
    const spec = { ...smallCreditSpec('credit-escape'), owner };
    const id = `cli-${randomUUID().slice(0, 8)}`;
    expect(
      (await h.app.inject({ method: 'POST', url: `/v1/projects?id=${id}`, payload: spec }))
        .statusCode,
    ).toBe(201);

    const table = await cli('list');
    const json = await cli('list', '--json');

    expect(table.stdout).toContain('ops\\u001b[2J\\u009b31m\\u0007team');
    expect(table.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(json.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(JSON.parse(json.stdout).projects).toContainEqual(expect.objectContaining({ id, owner }));
  });

  it('escapes control characters in API errors', async () => {
    const body = {
      error: 'invalid_request',
      message: 'bad \u001b[31mred',
      issues: [{ part: 'body', path: 'x\u001b', message: 'no' }],
    };
    const rejection = stubClient(() => Response.json(body, { status: 400 }));

    const result = await cliWith({ client: rejection }, 'list');

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: the API rejected the request (HTTP 400, 1 issue):\n  body x\\u001b: no\n',
    );
  });
});

describe('HTTP_COMMANDS_HELP', () => {
  it('lines up with the process commands', () => {
    const lines = HTTP_COMMANDS_HELP.split('\n');

    expect(lines[0]).toBe('HTTP commands (call the API at FULLCYCLE_API_URL):');
    expect(HTTP_COMMANDS_HELP.endsWith('\n')).toBe(true);
    expect(lines[1]).toMatch(/^  submit <spec\.yaml\|spec\.json> /);
    // cli/main.ts starts each process command's description at column 19, as in "  dev              Run everything".
    expect(lines[2]).toBe(`${' '.repeat(19)}Submit a project spec and start its workflow`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
