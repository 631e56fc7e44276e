/**
 * Hostile and malformed requests at the HTTP boundary: text the database
 * cannot store, YAML bombs, fastify's own errors, oversized echoes and
 * media types, against a real registry and a Temporal dev server with no
 * worker.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectWorkflowId } from '../../workflows/contracts.js';
import { createDevServerEnv } from '../support/temporal.js';
import { apiBackends, smallCreditSpec, startApiHarness, type ApiHarness } from './harness.js';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createDevServerEnv();
});

afterAll(async () => {
  await env?.teardown();
});

function freshId(): string {
  return `edge-${randomUUID().slice(0, 8)}`;
}

const NUL_RULE = 'must not contain NUL characters (U+0000), which the database cannot store';
const SURROGATE_RULE = 'must not contain unpaired UTF-16 surrogates; send valid Unicode text';

describe.each(apiBackends(inject('postgresUrl')))('request boundary (%s)', (backend) => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApiHarness({ backend, env });
  });

  afterAll(async () => {
    await h?.close();
  });

  const postJson = (url: string, body: string, contentType = 'application/json') =>
    h.app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload: body });

  describe('text the database cannot store', () => {
    it('rejects NUL in spec description', async () => {
      const id = freshId();
      const spec = { ...smallCreditSpec('credit'), description: 'risk\u0000model' };

      const response = await postJson(`/v1/projects?id=${id}`, JSON.stringify(spec));

      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'invalid_request',
        message: `request body is invalid: description: ${NUL_RULE}`,
        issues: [{ part: 'body', path: 'description', value: 'risk\\u0000model', message: NUL_RULE }],
      });
      expect(await h.registry.getProject(id)).toBeNull();
    });

    it('rejects lone surrogate in owner', async () => {
      const id = freshId();
      const payload = JSON.stringify({ ...smallCreditSpec('credit'), owner: 'ana\ud800' });

      const response = await postJson(`/v1/projects?id=${id}`, payload);

      expect(response.statusCode).toBe(400);
      expect(response.json().issues).toEqual([{ part: 'body', path: 'owner', value: 'ana\\ud800', message: SURROGATE_RULE }]);
      expect(await h.registry.getProject(id)).toBeNull();
    });

    it('rejects NUL in a field name', async () => {
      const spec = smallCreditSpec('credit');
      (spec.data as Record<string, unknown>)['bad\u0000key'] = 1;

      const response = await postJson('/v1/projects', JSON.stringify(spec));

      expect(response.statusCode).toBe(400);
      expect(response.json().issues).toEqual([{ part: 'body', path: 'data.bad\\u0000key', message: `field name ${NUL_RULE}` }]);
    });

    it('rejects NUL in a YAML spec', async () => {
      const yaml = 'name: credit\nowner: "ana\\0"\n';

      const response = await postJson('/v1/projects', yaml, 'application/yaml');

      expect(response.statusCode).toBe(400);
      expect(response.json().issues).toEqual([{ part: 'body', path: 'owner', value: 'ana\\u0000', message: NUL_RULE }]);
    });

    it('rejects NUL in approval comment', async () => {
      const id = freshId();
      await postJson(`/v1/projects?id=${id}`, JSON.stringify(smallCreditSpec('credit')));
      const body = JSON.stringify({ decision: 'approve', approver: 'ana', comment: 'ok\u0000' });

      const response = await postJson(`/v1/projects/${id}/approvals`, body);

      expect(response.statusCode).toBe(400);
      expect(response.json().issues).toEqual([{ part: 'body', path: 'comment', value: 'ok\\u0000', message: NUL_RULE }]);
    });

    it('rejects NUL in prediction values', async () => {
      const body = JSON.stringify({ rows: [{ purpose: 'car' }, { purpose: 'tv\u0000' }] });

      const response = await postJson('/v1/projects/nobody-here/predict', body);

      expect(response.statusCode).toBe(400);
      expect(response.json().issues).toEqual([{ part: 'body', path: 'rows.1.purpose', value: 'tv\\u0000', message: NUL_RULE }]);
    });

    it('previews only around the NUL', async () => {
      const comment = `${'a'.repeat(1000)}\u0000${'b'.repeat(1000)}`;
      const body = JSON.stringify({ decision: 'approve', approver: 'ana', comment });

      const response = await postJson('/v1/projects/nobody-here/approvals', body);

      expect(response.statusCode).toBe(400);
      expect(response.json().issues[0].value).toBe(`…${'a'.repeat(20)}\\u0000${'b'.repeat(19)}…`);
    });

    it('rejects a body nested too deep', async () => {
      const body = `{"row": {"a": ${'['.repeat(200)}${']'.repeat(200)}}}`;

      const response = await postJson('/v1/projects/nobody-here/predict', body);

      expect(response.statusCode).toBe(400);
      const [issue] = response.json().issues;
      expect(issue.message).toBe('is nested more than 64 levels deep; no request needs that many');
      expect(issue.path).toMatch(/^row\.a(\.0){62}$/);
    });
  });

  describe('YAML specs', () => {
    it('rejects an alias bomb with 400', async () => {
      const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
      for (const name of ['b', 'c', 'd', 'e']) {
        const previous = String.fromCharCode(name.charCodeAt(0) - 1);
        levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
      }

      const response = await postJson('/v1/projects', `${levels.join('\n')}\n`, 'application/yaml');

      expect(response.statusCode).toBe(400);
      const [issue] = response.json().issues;
      expect(issue).toMatchObject({ part: 'body', path: '', value: 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]' });
      expect(issue.message).toMatch(/^invalid YAML: its aliases \(\*name\) expand to more than 100 copies/);
    });

    it('rejects YAML on other routes with 415', async () => {
      const response = await postJson('/v1/projects/nobody-here/predict', 'row: {}\n', 'application/yaml');

      expect(response.statusCode).toBe(415);
      expect(response.json().message).toMatch(/^Content-Type "application\/yaml" is not supported: send JSON as application\/json/);
    });
  });

  describe("fastify's own errors", () => {
    it('maps a malformed URL to the error shape', async () => {
      const response = await h.app.inject({ url: '/v1/projects/%zz' });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'invalid_request',
        message: 'request URL "/v1/projects/%zz" is not valid: its percent-escapes must encode UTF-8 text; send "%" itself as "%25"',
      });
    });

    it('maps an overlong id to 414', async () => {
      const response = await h.app.inject({ url: `/v1/projects/${'a'.repeat(300)}` });

      expect(response.statusCode).toBe(414);
      expect(Object.keys(response.json()).sort()).toEqual(['error', 'message']);
      expect(response.json().error).toBe('invalid_request');
      expect(response.json().message).toMatch(/has a path segment longer than 100 characters; project ids have at most 63 characters$/);
      expect(response.json().message.length).toBeLessThan(300);
    });

    it('maps text/plain to 415', async () => {
      const response = await postJson('/v1/projects', JSON.stringify(smallCreditSpec('credit')), 'text/plain');

      expect(response.statusCode).toBe(415);
      expect(response.json()).toEqual({
        error: 'invalid_request',
        message:
          'Content-Type "text/plain" is not supported: send JSON as application/json; ' +
          'POST /v1/projects also takes YAML as application/yaml, application/x-yaml, text/yaml',
      });
    });

    it('answers malformed HTTP in the error shape', async () => {
      // The harness closes the app, and with it this listener.
      const address = new URL(await h.app.listen({ host: '127.0.0.1', port: 0 }));

      const raw = await rawExchange(Number(address.port), 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');

      expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(JSON.parse(raw.split('\r\n\r\n')[1]!)).toEqual({
        error: 'invalid_request',
        message: 'request is not valid HTTP/1.1 (HPE_INVALID_HEADER_TOKEN)',
      });
    });
  });

  describe('echoed values', () => {
    it('truncates a long approver', async () => {
      const body = JSON.stringify({ decision: 'approve', approver: 'x'.repeat(100_000) });

      const response = await postJson('/v1/projects/nobody-here/approvals', body);

      expect(response.statusCode).toBe(400);
      expect(response.json().issues).toEqual([
        { part: 'body', path: 'approver', value: `${'x'.repeat(200)}… (100000 characters)`, message: 'Too big: expected string to have <=200 characters' },
      ]);
      expect(response.body.length).toBeLessThan(1000);
    });

    it('truncates a 1.9 MB description', async () => {
      const spec = { ...smallCreditSpec('credit'), description: 'd'.repeat(1_900_000) };

      const response = await postJson('/v1/projects', JSON.stringify(spec));

      expect(response.statusCode).toBe(400);
      expect(response.json().issues[0].value).toBe(`${'d'.repeat(200)}… (1900000 characters)`);
      expect(response.body.length).toBeLessThan(1000);
    });

    it('lists at most 50 issues', async () => {
      const spec: Record<string, unknown> = smallCreditSpec('credit');
      for (let i = 0; i < 120; i++) spec[`unknown${i}`] = i;

      const response = await postJson('/v1/projects', JSON.stringify(spec));

      expect(response.statusCode).toBe(400);
      const { issues, message } = response.json();
      expect(issues).toHaveLength(51);
      expect(issues[49]).toMatchObject({ path: 'unknown49', message: 'is not a known field' });
      expect(issues[50]).toEqual({ part: 'body', path: '', message: 'and 70 more issues not listed' });
      expect(message).toMatch(/^request body is invalid: unknown0: is not a known field \(got 0\); .*; and 115 more issues listed in issues$/);
    });
  });

  describe('predict body', () => {
    it('asks for rows or row on empty body', async () => {
      const response = await postJson('/v1/projects/nobody-here/predict', '{}');

      expect(response.statusCode).toBe(400);
      expect(response.json().issues).toEqual([
        { part: 'body', path: '', value: {}, message: 'send rows (an array of objects) or row (one object)' },
      ]);
    });

    it('rejects rows and row together', async () => {
      const response = await postJson('/v1/projects/nobody-here/predict', '{"rows": [{}], "row": {}}');

      expect(response.statusCode).toBe(400);
      expect(response.json().issues[0].message).toBe('send either rows or row, not both');
    });
  });

  describe('updates on an ended workflow', () => {
    it.each([
      ['monitoring/run', undefined, 'no model is serving'],
      ['approvals', { decision: 'approve', approver: 'ana' }, 'no model awaits approval'],
    ])('answers 409 for %s', async (suffix, payload, consequence) => {
      const id = freshId();
      await postJson(`/v1/projects?id=${id}`, JSON.stringify(smallCreditSpec('credit')));
      await env.client.workflow.getHandle(projectWorkflowId(id)).terminate('test ends the workflow');

      const response = await h.app.inject({ method: 'POST', url: `/v1/projects/${id}/${suffix}`, ...(payload ? { payload } : {}) });

      expect(response.statusCode).toBe(409);
      expect(response.json()).toEqual({
        error: 'conflict',
        message: `project ${id}'s workflow has ended (last recorded stage: created), so ${consequence}`,
      });
    });
  });
});

/** Sends raw bytes to 127.0.0.1:port and returns everything the server sends back before it closes. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
}
