import { describe, expect, test } from 'vitest';
import { useServer } from './support/server.ts';

describe('the running server answers what operators and browsers ask for', () => {
  const server = useServer();
  const get = (path: string) => fetch(`${server.baseUrl}${path}`);

  test('/health reports the server and its database up', async () => {
    const response = await get('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: 'ok' });
  });

  test('/api/openapi.json is an OpenAPI 3 document', async () => {
    const response = await get('/api/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi?: unknown; paths?: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(Object.keys(document.paths ?? {})).toContain('/health');
  });

  test('/staff serves the dashboard page', async () => {
    const response = await get('/staff');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain('<div id="root">');
    expect(page).toMatch(/<script type="module"[^>]* src="\/staff\/assets\/[^"]+\.js"/);
  });

  test('/metrics exposes request durations for Prometheus', async () => {
    await get('/health');
    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^branchline_http_request_duration_seconds_bucket\{/m);
  });

  test('a missing dashboard asset is a 404, not the dashboard page', async () => {
    const response = await get('/staff/assets/nope.js');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(await response.text()).not.toContain('<div id="root">');
  });
});
