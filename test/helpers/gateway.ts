import { type GatewayServer, startGateway } from '../../gateway/server.js';
import { type Config, loadConfig } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';

export const APPROVER_TOKEN = 'approver-token-for-tests-0001';
export const AGENT_TOKEN = 'agent-token-for-tests-000001';

/** The configuration tests use: a private Redis, fixed tokens, a free port, quiet logs. */
export function testConfig(redisUrl: string, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: redisUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    API_TOKEN: APPROVER_TOKEN,
    AGENT_TOKEN: AGENT_TOKEN,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
  });
}

export async function startTestGateway(
  redisUrl: string,
  overrides: Record<string, string> = {},
): Promise<GatewayServer> {
  const config = testConfig(redisUrl, overrides);
  return startGateway(config, createLogger(config, 'gateway'));
}

/** A small JSON client for one gateway and one token. */
export function apiClient(baseUrl: string, token: string | null = APPROVER_TOKEN) {
  return async function request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body === undefined && headers['content-type']) init.body = '';
    if (token) (init.headers as Record<string, string>).authorization = `Bearer ${token}`;
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, init);
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON responses.
    return { status: response.status, headers: response.headers, body: json as any };
  };
}
