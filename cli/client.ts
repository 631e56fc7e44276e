import os from 'node:os';
import type { ApiIssue, ErrorBody } from '../api/errors.js';

/** The API address used when FULLCYCLE_API_URL is unset. */
export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

/** How long one request may take; a monitoring check can run for up to two minutes. */
const REQUEST_TIMEOUT_MS = 150_000;

/** Connection settings: the API address, the token and the acting user. */
export interface ApiClientOptions {
  baseUrl: string;
  /** Sent as a bearer token when set. */
  token?: string;
  /** Sent as x-fullcycle-user, so the API records who submitted or decided. */
  user?: string;
  fetch?: typeof fetch;
}

/** The API returned a 4xx or 5xx status. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: ApiIssue[] = [],
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/** The API could not be reached at all. */
export class ApiUnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    cause: unknown,
  ) {
    const reason = (cause as { cause?: Error }).cause?.message ?? (cause as Error).message;
    super(`cannot reach the Fullcycle API at ${baseUrl} (${reason}); start it with "fullcycle dev" or set FULLCYCLE_API_URL`, {
      cause,
    });
    this.name = 'ApiUnreachableError';
  }
}

/** A request to the API. */
export interface ApiRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  accept?: string;
}

/** Calls the Fullcycle HTTP API with JSON bodies. */
export class ApiClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Reads FULLCYCLE_API_URL, FULLCYCLE_API_TOKEN and FULLCYCLE_USER (else the login name). */
  static fromEnv(env: Record<string, string | undefined>): ApiClient {
    return new ApiClient({
      baseUrl: env.FULLCYCLE_API_URL || DEFAULT_API_URL,
      token: env.FULLCYCLE_API_TOKEN || undefined,
      user: env.FULLCYCLE_USER || loginName(),
    });
  }

  /**
   * Sends a request and returns the parsed JSON body.
   *
   * @throws ApiRequestError for a 4xx or 5xx response, with the API's message
   *   and issues; ApiUnreachableError when no response arrives.
   */
  async json<T>(request: ApiRequest): Promise<T> {
    const response = await this.send(request);
    return (await response.json()) as T;
  }

  /** Sends a request and returns the body as text, such as an HTML report; throws as `json` does. */
  async text(request: ApiRequest): Promise<string> {
    return (await this.send(request)).text();
  }

  private async send(request: ApiRequest): Promise<Response> {
    const url = new URL(request.path, this.options.baseUrl);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    let response: Response;
    try {
      response = await this.fetch(url, {
        method: request.method,
        headers: this.headers(request),
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ApiUnreachableError(this.options.baseUrl, error);
    }
    if (!response.ok) throw await toRequestError(response);
    return response;
  }

  private headers(request: ApiRequest): Record<string, string> {
    const headers: Record<string, string> = { accept: request.accept ?? 'application/json' };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (this.options.user) headers['x-fullcycle-user'] = this.options.user;
    return headers;
  }
}

async function toRequestError(response: Response): Promise<ApiRequestError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as ErrorBody;
    if (typeof body.message === 'string') return new ApiRequestError(response.status, body.message, body.issues ?? []);
  } catch {
    // Not the API's error shape, such as a proxy's HTML page; fall through.
  }
  return new ApiRequestError(response.status, `HTTP ${response.status} ${response.statusText}: ${text.slice(0, 200)}`);
}

function loginName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return undefined;
  }
}
