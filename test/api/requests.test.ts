/**
 * Request validation, errors, lookups, health and auth, against a real
 * registry and a Temporal dev server with no worker: nothing here needs a
 * workflow to make progress.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { projectWorkflowId } from '../../workflows/contracts.js';
import { createDevServerEnv } from '../support/temporal.js';
import {
  apiBackends,
  EXAMPLES_ROOT,
  smallCreditSpec,
  startApiHarness,
  type ApiHarness,
} from './harness.js';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createDevServerEnv();
});

afterAll(async () => {
  await env?.teardown();
});

function freshId(prefix = 'api'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

async function workflowExists(id: string): Promise<boolean> {
  try {
    await env.client.workflow.getHandle(projectWorkflowId(id)).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

describe.each(apiBackends(inject('postgresUrl')))('API requests (%s)', (backend) => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApiHarness({ backend, env });
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('POST /v1/projects', () => {
    it('rejects invalid spec without writing', async () => {
      const id = freshId();
      const spec: Record<string, any> = {
        ...smallCreditSpec('Bad Name'),
        training: { models: [{ family: 'forest' }] },
      };
      spec.data.split = { train: 0.5, validation: 0.2, test: 0.2 };

      const response = await h.app.inject({
        method: 'POST',
        url: `/v1/projects?id=${id}`,
        payload: spec,
      });

      expect(response.statusCode).toBe(400);
      const body = response.json();
      expect(body.error).toBe('invalid_request');
      expect(body.issues).toEqual([
        {
          part: 'body',
          path: 'name',
          value: 'Bad Name',
          message: 'must be 3-63 lowercase letters, digits or dashes',
        },
        {
          part: 'body',
          path: 'data.split.train',
          value: 0.5,
          message: 'train, validation and test must sum to 1',
        },
        {
          part: 'body',
          path: 'training.models.0.family',
          value: 'forest',
          message: "Invalid discriminator value. Expected 'logistic_regression' | 'mlp'",
        },
      ]);
      expect(await h.registry.getProject(id)).toBeNull();
      expect(await workflowExists(id)).toBe(false);
    });

    it('names the line of a YAML syntax error', async () => {
      const response = await h.app.inject({
        method: 'POST',
        url: '/v1/projects',
        headers: { 'content-type': 'application/yaml' },
        payload: 'name: credit\ndata:\n  source: [file\n',
      });

      expect(response.statusCode).toBe(400);
      expect(response.json().issues).toHaveLength(1);
      expect(response.json().issues[0].message).toMatch(/^invalid YAML at line 4, column 1: /);
    });

    it.each([
      ['an absolute path', '/etc/passwd'],
      ['a relative path that climbs out', '../../etc/passwd'],
    ])('rejects %s outside the data roots', async (_case, sourcePath) => {
      const id = freshId();
      const spec = smallCreditSpec('credit');
      (spec.data as { source: { path: string } }).source.path = sourcePath;

      const response = await h.app.inject({
        method: 'POST',
        url: `/v1/projects?id=${id}`,
        payload: spec,
      });

      expect(response.statusCode).toBe(400);
      const issues = response.json().issues;
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ part: 'body', path: 'data.source.path' });
      expect(issues[0].value).toBe(path.resolve(EXAMPLES_ROOT, sourcePath));
      expect(issues[0].message).toContain(EXAMPLES_ROOT);
      expect(await h.registry.getProject(id)).toBeNull();
      expect(await workflowExists(id)).toBe(false);
    });

    it('starts YAML spec, refuses duplicate id', async () => {
      const id = freshId();
      const yaml =
        `name: credit\ndata:\n  source: { type: file, path: credit-scoring/german_credit.data }\n` +
        `  target: { column: class, positiveClass: 2 }\ntraining:\n  models: [{ family: logistic_regression }]\n`;
      const post = () =>
        h.app.inject({
          method: 'POST',
          url: `/v1/projects?id=${id}`,
          headers: { 'content-type': 'application/yaml', 'x-fullcycle-user': 'ana' },
          payload: yaml,
        });

      const created = await post();
      expect(created.statusCode).toBe(201);
      expect(created.json()).toEqual({
        id,
        workflowId: `project-${id}`,
        stage: 'initiation',
        links: {
          self: `/v1/projects/${id}`,
          report: `/v1/projects/${id}/report`,
          temporalUi: `http://127.0.0.1:8233/namespaces/default/workflows/project-${id}`,
        },
      });
      const record = await h.registry.getProject(id);
      expect(record?.spec.data.source.path).toBe(
        path.join(EXAMPLES_ROOT, 'credit-scoring/german_credit.data'),
      );
      const description = await env.client.workflow.getHandle(`project-${id}`).describe();
      expect(description.status.name).toBe('RUNNING');

      const again = await post();
      expect(again.statusCode).toBe(409);
      expect(again.json()).toEqual({
        error: 'conflict',
        message: `project "${id}" already exists; choose another id or open the existing project`,
      });
    });

    it('defaults id to name and suffix', async () => {
      const response = await h.app.inject({
        method: 'POST',
        url: '/v1/projects',
        payload: smallCreditSpec('credit-default'),
      });

      expect(response.statusCode).toBe(201);
      expect(response.json().id).toMatch(/^credit-default-[a-z0-9]{6}$/);
    });

    it('deletes project when start fails', async () => {
      const temporal = new Client({ connection: env.connection, namespace: 'no-such-namespace' });
      const app = await buildApp({
        config: h.config,
        registry: h.registry,
        artifacts: h.artifacts,
        temporal,
      });
      const id = freshId();
      try {
        const response = await app.inject({
          method: 'POST',
          url: `/v1/projects?id=${id}`,
          payload: smallCreditSpec('credit'),
        });

        expect(response.statusCode).toBe(500);
        expect(response.json().error).toBe('internal');
        expect(response.json().message).toMatch(
          new RegExp(`^could not start workflow project-${id}: .*no-such-namespace`),
        );
        expect(await h.registry.getProject(id)).toBeNull();
      } finally {
        await app.close();
      }
    });

    it('returns 413 over 2 MiB', async () => {
      const payload = JSON.stringify({
        ...smallCreditSpec('credit'),
        description: 'x'.repeat(2 * 1024 * 1024),
      });
      const response = await h.app.inject({
        method: 'POST',
        url: '/v1/projects',
        headers: { 'content-type': 'application/json' },
        payload,
      });

      expect(response.statusCode).toBe(413);
      expect(response.json()).toEqual({
        error: 'invalid_request',
        message:
          'request body is larger than the limit of 2 MiB (2097152 bytes); split prediction rows over several requests, or shorten the spec',
      });
    });

    it('maps malformed JSON to 400', async () => {
      const response = await h.app.inject({
        method: 'POST',
        url: '/v1/projects',
        headers: { 'content-type': 'application/json' },
        payload: '{"name": ',
      });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'invalid_request',
        message:
          'request body is not valid JSON, or it contains a "__proto__" or "constructor" key, which the API rejects',
      });
    });
  });

  describe('lookups', () => {
    it('falls back to registry without worker', async () => {
      const id = freshId();
      await h.app.inject({
        method: 'POST',
        url: `/v1/projects?id=${id}`,
        payload: smallCreditSpec('credit'),
      });

      const response = await h.app.inject({ url: `/v1/projects/${id}` });

      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        id,
        source: 'registry',
        stage: 'created',
        trials: [],
        candidate: null,
      });
    });

    it('lists projects with limit and offset', async () => {
      const first = await h.app.inject({ url: '/v1/projects?limit=1' });
      const second = await h.app.inject({ url: '/v1/projects?limit=1&offset=1' });

      expect(first.statusCode).toBe(200);
      expect(first.json().projects).toHaveLength(1);
      expect(first.json()).toMatchObject({ limit: 1, offset: 0 });
      expect(second.json().projects[0].id).not.toBe(first.json().projects[0].id);
      expect(Object.keys(first.json().projects[0]).sort()).toEqual(
        ['createdAt', 'id', 'name', 'owner', 'stage', 'updatedAt', 'workflowId'].sort(),
      );
    });

    it('rejects a list limit out of range', async () => {
      const response = await h.app.inject({ url: '/v1/projects?limit=500' });

      expect(response.statusCode).toBe(400);
      expect(response.json().issues).toEqual([
        {
          part: 'query',
          path: 'limit',
          value: '500',
          message: 'Too big: expected number to be <=200',
        },
      ]);
    });

    it.each([
      ['GET', '/v1/projects/nobody-here'],
      ['GET', '/v1/projects/nobody-here/report'],
      ['POST', '/v1/projects/nobody-here/approvals', { decision: 'approve', approver: 'ana' }],
      ['POST', '/v1/projects/nobody-here/predict', { row: { age_years: 30 } }],
      ['POST', '/v1/projects/nobody-here/monitoring/run'],
    ] as const)('returns 404 for %s %s', async (method, url, payload?: object) => {
      const response = await h.app.inject({ method, url, ...(payload ? { payload } : {}) });

      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({
        error: 'not_found',
        message: 'project nobody-here not found',
      });
    });

    it('rejects a malformed project id in the path', async () => {
      const response = await h.app.inject({ url: '/v1/projects/Not_An_Id' });

      expect(response.statusCode).toBe(400);
      expect(response.json().issues[0]).toMatchObject({
        part: 'params',
        path: 'id',
        value: 'Not_An_Id',
      });
    });

    it('report 404 and predict 409 early', async () => {
      const id = freshId();
      await h.app.inject({
        method: 'POST',
        url: `/v1/projects?id=${id}`,
        payload: smallCreditSpec('credit'),
      });

      const report = await h.app.inject({ url: `/v1/projects/${id}/report` });
      const predict = await h.app.inject({
        method: 'POST',
        url: `/v1/projects/${id}/predict`,
        payload: { row: {} },
      });

      expect(report.statusCode).toBe(404);
      expect(report.json().message).toBe(
        `project ${id} has no report yet; it is in stage created, and the report is written after deployment`,
      );
      expect(predict.statusCode).toBe(409);
      expect(predict.json()).toEqual({
        error: 'conflict',
        message: `project ${id} has no deployed model (last recorded stage: created)`,
      });
    });

    it('returns 404 for unknown route', async () => {
      const response = await h.app.inject({ url: '/v2/nothing?x=1' });

      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({
        error: 'not_found',
        message: 'no route matches GET /v2/nothing',
      });
    });

    it('requires an approver', async () => {
      const response = await h.app.inject({
        method: 'POST',
        url: '/v1/projects/nobody-here/approvals',
        payload: { decision: 'approve' },
      });

      expect(response.statusCode).toBe(400);
      expect(response.json().issues).toEqual([
        {
          part: 'body',
          path: 'approver',
          message: 'is required: send approver in the body or the x-fullcycle-user header',
        },
      ]);
    });
  });

  describe('health and docs', () => {
    it('reports healthy dependencies', async () => {
      const response = await h.app.inject({ url: '/healthz' });

      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok', database: 'ok', temporal: 'ok' });
    });

    it('names each failed dependency with 503', async () => {
      const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
      const app = await buildApp({
        config: h.config,
        registry: h.registry,
        artifacts: h.artifacts,
        temporal: new Client({ connection }),
        probeDatabase: async () => {
          throw new Error('connection refused');
        },
      });
      try {
        const response = await app.inject({ url: '/healthz' });

        expect(response.statusCode).toBe(503);
        const body = response.json();
        expect(body.error).toBe('unavailable');
        expect(body.checks.database).toBe('failed: connection refused');
        expect(body.checks.temporal).toMatch(/^failed: /);
        expect(body.message).toMatch(
          /^unhealthy: database failed: connection refused; temporal failed: /,
        );
      } finally {
        await app.close();
        await connection.close();
      }
    });

    it('serves OpenAPI from zod schemas', async () => {
      const response = await h.app.inject({ url: '/docs/json' });

      expect(response.statusCode).toBe(200);
      const document = response.json();
      expect(Object.keys(document.paths).sort()).toEqual([
        '/healthz',
        '/v1/projects',
        '/v1/projects/{id}',
        '/v1/projects/{id}/approvals',
        '/v1/projects/{id}/monitoring/run',
        '/v1/projects/{id}/predict',
        '/v1/projects/{id}/report',
      ]);
      const create = document.paths['/v1/projects'].post;
      expect(Object.keys(create.requestBody.content)).toContain('application/yaml');
      expect(create.requestBody.content['application/json'].schema.required).toEqual([
        'name',
        'data',
        'training',
      ]);
      const approval = document.paths['/v1/projects/{id}/approvals'].post;
      expect(
        approval.requestBody.content['application/json'].schema.properties.decision.enum,
      ).toEqual(['approve', 'reject']);
      expect(approval.responses['409']).toBeDefined();
    });
  });
});

describe('bearer auth', () => {
  const token = 'test-token-0123456789abcdef';
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApiHarness({ backend: 'pglite', env, apiToken: token });
  });

  afterAll(async () => {
    await h?.close();
  });

  it.each([
    ['no header', undefined, 'missing Authorization header: send "Authorization: Bearer <token>"'],
    ['a wrong token', 'Bearer wrong-token-0123456789', 'the bearer token is not valid'],
    [
      'another scheme',
      `Basic ${token}`,
      'the Authorization header must use the Bearer scheme: send "Authorization: Bearer <token>"',
    ],
    [
      'a bearer without token',
      'Bearer',
      'the Authorization header has no single bearer token: send "Authorization: Bearer <token>"',
    ],
  ])('answers 401 for %s', async (_case, authorization, message) => {
    const response = await h.app.inject({
      url: '/v1/projects',
      headers: authorization ? { authorization } : {},
    });

    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.json()).toEqual({ error: 'unauthorized', message });
  });

  it('accepts the configured token', async () => {
    const response = await h.app.inject({
      url: '/v1/projects',
      headers: { authorization: `Bearer ${token}` },
    });

    expect(response.statusCode).toBe(200);
  });

  it.each(['/healthz', '/docs/json'])('leaves %s open', async (url) => {
    const response = await h.app.inject({ url });

    expect(response.statusCode).toBe(200);
  });
});
