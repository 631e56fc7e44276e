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

/** The API could not be reached at all, or did not respond in time. */
export class ApiUnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    cause: unknown,
  ) {
    super(unreachableMessage(baseUrl, cause), { cause });
    this.name = 'ApiUnreachableError';
  }
}

function unreachableMessage(baseUrl: string, cause: unknown): string {
  if ((cause as Error).name === 'TimeoutError') {
    return `the Fullcycle API at ${baseUrl} did not respond within ${REQUEST_TIMEOUT_MS / 1000} s; check the server log, then retry`;
  }
  const reason = (cause as { cause?: Error }).cause?.message ?? (cause as Error).message;
  return `cannot reach the Fullcycle API at ${baseUrl} (${reason}); start it with "fullcycle dev" or set FULLCYCLE_API_URL`;
}

/** A successful response whose body is not the JSON that the API sends, such as a proxy's HTML page. */
export class ApiResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiResponseError';
  }
}

/** A connection setting, such as FULLCYCLE_API_URL, is invalid; nothing was sent. */
export class ApiConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiConfigError';
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
  private readonly baseUrl: URL;

  /** @throws ApiConfigError when the base URL, the token or the user cannot be sent. */
  constructor(private readonly options: ApiClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.baseUrl = parseBaseUrl(options.baseUrl, 'the API base URL');
    checkHeaderValue(options.token, 'the API token');
    checkHeaderValue(options.user, 'the user name');
  }

  /**
   * Reads FULLCYCLE_API_URL, FULLCYCLE_API_TOKEN and FULLCYCLE_USER (else
   * the login name, when it can be sent as a header).
   *
   * @throws ApiConfigError naming the variable that is invalid.
   */
  static fromEnv(env: Record<string, string | undefined>): ApiClient {
    const baseUrl = env.FULLCYCLE_API_URL || DEFAULT_API_URL;
    parseBaseUrl(baseUrl, 'FULLCYCLE_API_URL');
    checkHeaderValue(env.FULLCYCLE_API_TOKEN, 'FULLCYCLE_API_TOKEN');
    checkHeaderValue(env.FULLCYCLE_USER, 'FULLCYCLE_USER');
    const login = loginName();
    const user = env.FULLCYCLE_USER || (login && isHeaderValue(login) ? login : undefined);
    return new ApiClient({ baseUrl, token: env.FULLCYCLE_API_TOKEN || undefined, user });
  }

  /**
   * Sends a request and returns the parsed JSON body.
   *
   * @throws ApiRequestError for a 4xx or 5xx response, with the API's message
   *   and issues; ApiUnreachableError when no response arrives;
   *   ApiResponseError when the body is not JSON.
   */
  async json<T>(request: ApiRequest): Promise<T> {
    const response = await this.send(request);
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      const type = response.headers.get('content-type') ?? 'no Content-Type';
      throw new ApiResponseError(
        `the server at ${this.options.baseUrl} sent a response that is not JSON (HTTP ${response.status}, ${type}); ` +
          'check that FULLCYCLE_API_URL is the address of the Fullcycle API',
      );
    }
  }

  /** Sends a request and returns the body as text, such as an HTML report; throws as `json` does. */
  async text(request: ApiRequest): Promise<string> {
    return (await this.send(request)).text();
  }

  private async send(request: ApiRequest): Promise<Response> {
    const url = new URL(request.path, this.baseUrl);
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
    if (typeof body.message === 'string')
      return new ApiRequestError(response.status, body.message, body.issues ?? []);
  } catch {
    // Not the API's error shape, such as a proxy's HTML page; fall through.
  }
  return new ApiRequestError(
    response.status,
    `HTTP ${response.status} ${response.statusText}: ${text.slice(0, 200)}`,
  );
}

function loginName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return undefined;
  }
}

/** Parses an http:// or https:// URL; `name` is the setting that the value came from, for the message. */
function parseBaseUrl(value: string, name: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) return url;
  throw new ApiConfigError(
    `${name} ${JSON.stringify(value)} is not an http:// or https:// URL; set it to the API's address, such as ${DEFAULT_API_URL}`,
  );
}

/** Latin-1 text without control characters other than tab, which is what fetch sends as a header value. */
function isHeaderValue(value: string): boolean {
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(value);
}

function checkHeaderValue(value: string | undefined, name: string): void {
  if (value === undefined || isHeaderValue(value)) return;
  throw new ApiConfigError(
    `${name} contains line breaks, control characters or characters beyond Latin-1, which an HTTP header cannot carry; ` +
      'set it to plain text',
  );
}
