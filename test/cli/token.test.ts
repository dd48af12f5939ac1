/**
 * `serverless-api token` through `main()`, as the bin runs it: one line on stdout, a token the local API's JWT or
 * Cognito authorizer accepts, signed with the project's dev key.
 */
import * as fs from 'fs';
import * as path from 'path';
import { importJWK, jwtVerify } from 'jose';
import { removeTempDirs, REST_API_SNAPSHOT, runCli, TASK_BOARD_SNAPSHOT, tempDir } from './run';
import { loadDevKeys } from '../../src/local/auth';
import { readLocalApp } from '../../src/local/reader';

/** The dev keys of these tests live in a folder of their own, as a project's cache folder would hold them. */
let cacheDir: string;
const savedCacheDir = process.env.CDK_SERVERLESS_API_CACHE_DIR;
beforeAll(() => {
  cacheDir = tempDir('token-cache');
  process.env.CDK_SERVERLESS_API_CACHE_DIR = cacheDir;
});
afterAll(() => {
  if (savedCacheDir === undefined) delete process.env.CDK_SERVERLESS_API_CACHE_DIR;
  else process.env.CDK_SERVERLESS_API_CACHE_DIR = savedCacheDir;
  removeTempDirs();
});

const taskBoard = readLocalApp(TASK_BOARD_SNAPSHOT, { functions: false });
const jwtAuthorizer = Object.values(taskBoard.api.authorizers).find((a) => a.kind === 'jwt')!;

/** Runs the command and verifies its token with the dev key's public JWK, as a JWKS client would. */
async function tokenOf(args: string[], verifyOptions: { issuer?: string; audience?: string } = {}) {
  const run = await runCli(['token', ...args]);
  expect({ code: run.code, err: run.err }).toEqual({ code: 0, err: '' });
  expect(run.out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  const keys = loadDevKeys({ dir: cacheDir });
  const { payload, protectedHeader } = await jwtVerify(
    run.out.trim(),
    await importJWK(keys.publicJwk, 'RS256'),
    verifyOptions,
  );
  return { payload, protectedHeader, kid: keys.kid };
}

describe('serverless-api token', () => {
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
  test("GIVEN the task board THEN one line: a token with the JWT authorizer's issuer and audience, the scopes and claims, 1 h by default", async () => {
    const before = Math.floor(Date.now() / 1000);
    const { payload, protectedHeader, kid } = await tokenOf(
      [
        TASK_BOARD_SNAPSHOT,
        '--sub',
        'alice',
        '--scope',
        'tasks:read',
        '--scope',
        'tasks:write',
        '--claim',
        'tenant=acme',
        '--claim',
        'level=3',
        '--claim',
        'admin=true',
        '--claim',
        'groups=["a","b"]',
        '--claim',
        'profile={"team":"core"}',
        '--claim',
        'id="42"',
        '--claim',
        'note=a=b',
      ],
      {
        issuer: jwtAuthorizer.kind === 'jwt' ? jwtAuthorizer.issuer : '',
        audience: jwtAuthorizer.kind === 'jwt' ? jwtAuthorizer.audience[0] : '',
      },
    );
    expect(protectedHeader).toEqual({ alg: 'RS256', kid, typ: 'JWT' });
    expect(payload).toMatchObject({
      sub: 'alice',
      scope: 'tasks:read tasks:write',
      tenant: 'acme',
      level: 3,
      admin: true,
      groups: ['a', 'b'],
      profile: { team: 'core' },
      id: '42',
      note: 'a=b',
    });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(payload.iat).toBeGreaterThanOrEqual(before);
  });

  test('--expires sets the lifetime', async () => {
    const { payload } = await tokenOf([TASK_BOARD_SNAPSHOT, '--sub', 'alice', '--expires', '15m']);
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  test('GIVEN no ASSEMBLY_DIR THEN cdk.out of the working directory is read', async () => {
    const project = tempDir('token-project');
    fs.cpSync(TASK_BOARD_SNAPSHOT, path.join(project, 'cdk.out'), { recursive: true });
    const run = await runCli(['token', '--sub', 'bob'], project);
    expect(run.code).toBe(0);
    const keys = loadDevKeys({ dir: cacheDir });
    const { payload } = await jwtVerify(run.out.trim(), await importJWK(keys.publicJwk, 'RS256'));
    expect(payload.sub).toBe('bob');
  });

  // https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html
  // https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
  test('GIVEN the REST API THEN tokens of its Cognito pool: an id token, or an access token with scopes', async () => {
    const restApi = readLocalApp(REST_API_SNAPSHOT, { functions: false });
    const cognito = Object.values(restApi.api.authorizers).find((a) => a.kind === 'cognito')!;
    const issuer = cognito.kind === 'cognito' ? cognito.issuers[0] : '';
    expect(issuer).toMatch(/^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/.+_.+$/);

    const id = await tokenOf([REST_API_SNAPSHOT, '--sub', 'carol'], { issuer });
    expect(id.payload).toMatchObject({ token_use: 'id', aud: 'local-client', 'cognito:username': 'carol' });

    const access = await tokenOf([REST_API_SNAPSHOT, '--sub', 'carol', '--scope', 'items/read'], { issuer });
    expect(access.payload).toMatchObject({ token_use: 'access', client_id: 'local-client', scope: 'items/read' });

    const forced = await tokenOf([REST_API_SNAPSHOT, '--sub', 'carol', '--scope', 'x', '--token-use', 'id'], {
      issuer,
    });
    expect(forced.payload.token_use).toBe('id');
  });
});

describe('serverless-api token: what it refuses', () => {
  const USAGE_HINT = 'Run `serverless-api token --help` for more.\n';

  test.each([
    [['--claim', 'tenant'], '--claim must be NAME=VALUE, got: "tenant"'],
    [['--claim', '=x'], '--claim must be NAME=VALUE, got: "=x"'],
    [
      ['--claim', 'groups=[a,b]'],
      `--claim groups must be valid JSON when it starts with [ or {, got: [a,b] (Unexpected token 'a', "[a,b]" is not valid JSON); quote strings inside it, e.g. --claim 'groups=["a","b"]'`,
    ],
    [
      ['--expires', 'soon'],
      '`--expires` must be a positive duration in seconds (3600) or with a unit s, m, h or d (45s, 30m, 1h, 2d), got: "soon"',
    ],
    [['--token-use', 'refresh'], '--token-use must be id or access, got: "refresh"'],
  ])('%j: exit 2, the flag and the bad value', async (args, message) => {
    const run = await runCli(['token', TASK_BOARD_SNAPSHOT, '--sub', 'alice', ...args]);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toMatch(
      new RegExp(`^serverless-api: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\nUsage: serverless-api token`),
    );
    expect(run.err.endsWith(USAGE_HINT)).toBe(true);
  });

  test('GIVEN no --sub THEN exit 2: it is required', async () => {
    const run = await runCli(['token', TASK_BOARD_SNAPSHOT]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^serverless-api: missing --sub ID\n/);
  });

  test('GIVEN an authorizer name the API lacks THEN exit 1 and the names it has', async () => {
    const run = await runCli(['token', TASK_BOARD_SNAPSHOT, '--sub', 'alice', '--authorizer', 'partners']);
    expect(run).toEqual({
      code: 1,
      out: '',
      err: `serverless-api: --authorizer must be one of ${jwtAuthorizer.name}, got: "partners"\n`,
    });
  });

  test('GIVEN an API without a JWT or Cognito authorizer THEN exit 1, saying what its routes use', async () => {
    const dir = tempDir('token-public');
    fs.cpSync(TASK_BOARD_SNAPSHOT, dir, { recursive: true });
    const templateFile = path.join(dir, 'TaskBoardIntegStack.template.json');
    const template = JSON.parse(fs.readFileSync(templateFile, 'utf-8'));
    for (const [id, resource] of Object.entries<any>(template.Resources)) {
      if (resource.Type === 'AWS::ApiGatewayV2::Authorizer') delete template.Resources[id];
      if (resource.Type === 'AWS::ApiGatewayV2::Route') {
        resource.Properties.AuthorizationType = 'NONE';
        delete resource.Properties.AuthorizerId;
        delete resource.Properties.AuthorizationScopes;
      }
    }
    fs.writeFileSync(templateFile, JSON.stringify(template));

    const run = await runCli(['token', dir, '--sub', 'alice']);
    expect(run).toEqual({
      code: 1,
      out: '',
      err: 'serverless-api: stack TaskBoardIntegStack has no JWT or Cognito authorizer, so no route takes a token (its routes are: public)\n',
    });
  });

  test('GIVEN no cloud assembly THEN exit 1 and what to run', async () => {
    const dir = tempDir('token-empty');
    const run = await runCli(['token', dir, '--sub', 'alice']);
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      `serverless-api: no cloud assembly in ${dir} (it has no manifest.json): run \`cdk synth\` first, or pass the folder it writes to (cdk.out by default)\n`,
    );
  });
});
