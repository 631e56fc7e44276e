import { createServer } from 'node:net';

/** Returns a TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Returns the q-quantile (0..1) of the values by nearest rank. */
export function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** POSTs JSON and returns the parsed body. Throws on a non-2xx response. */
export async function post(api: string, route: string, body: unknown): Promise<any> {
  const response = await fetch(`${api}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${route} failed with HTTP ${response.status}: ${text}`);
  return JSON.parse(text);
}

/** Polls GET /v1/projects/:id until the project reaches `stage`; throws if it fails or takes over 5 minutes. */
export async function waitForStage(api: string, id: string, stage: string): Promise<any> {
  const deadline = Date.now() + 5 * 60_000;
  while (Date.now() < deadline) {
    const view = (await (await fetch(`${api}/v1/projects/${id}`)).json()) as any;
    if (view.stage === stage) return view;
    if (view.stage === 'failed') throw new Error(`project ${id} failed: ${view.error?.message}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`project ${id} did not reach ${stage} within 5 minutes`);
}
