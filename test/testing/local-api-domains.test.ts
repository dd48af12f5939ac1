/**
 * An HTTP API reachable only at its custom domain name (execute-api endpoint off, base path `v1`) still runs locally:
 * the local gateway serves its routes at its own URL, as `serverless-api dev` does.
 */
import * as path from 'path';
import { LocalApi } from '../../src/testing';

const DOMAINS = path.join(__dirname, '..', '..', 'integ', 'integ.domains.ts.snapshot');

describe('LocalApi on the domains app (HTTP API, custom domain, execute-api endpoint off)', () => {
  let api: LocalApi;
  beforeAll(async () => {
    api = await LocalApi.start({ assembly: DOMAINS });
  });
  afterAll(() => api.stop());

  test('GIVEN the public route THEN the function answers at the local URL, without the base path', async () => {
    const res = await fetch(`${api.url}/hello`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ domainName: expect.any(String) });
  });

  test('GIVEN the base path in the URL THEN no route matches: locally the stage is served itself, with no mapping', async () => {
    const res = await fetch(`${api.url}/v1/hello`);
    expect(res.status).toBe(404);
  });
});
