import { Duration, Lazy, RemovalPolicy, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  AccessPattern,
  ApiAuthorization,
  RouteOptions,
  ServerlessApi,
  ServerlessApiProps,
  TableEncryption,
} from '../src';
import {
  AUDIENCE,
  defaultProps,
  expectError,
  fn,
  HANDLER_ENTRY,
  ISSUER,
  itemPatterns,
  newStack,
  route,
} from './helpers/api';

/** Props with a single function `items` serving exactly these routes. */
const routes = (...r: RouteOptions[]): Partial<ServerlessApiProps> => ({ functions: { items: fn(r) } });
const withRoute = (options: Partial<RouteOptions>) => routes(route(HttpMethod.GET, '/items', options));
/** Props declaring these access patterns, and a function `items` using `uses` of them. */
const withPatterns = (
  accessPatterns: { [name: string]: AccessPattern },
  uses: string[] = Object.keys(accessPatterns),
): Partial<ServerlessApiProps> => ({
  accessPatterns,
  functions: { items: fn([route(HttpMethod.GET, '/items')], { accessPatterns: uses }) },
});

describe('route paths', () => {
  const RULE =
    'must start with "/" and be made of literal segments and {param} segments ({param+} last), with no empty segment or trailing "/"';
  test.each([
    ['no leading slash', 'items'],
    ['a trailing slash', '/items/'],
    ['an empty segment', '/items//tags'],
    ['a greedy parameter that is not last', '/{proxy+}/items'],
    ['a query string', '/items?limit=10'],
    ['a space', '/my items'],
    ['an unclosed brace', '/items/{id'],
    ['a parameter name starting with a digit', '/items/{1d}'],
    ['an empty path', ''],
  ])('a path with %s is rejected', (_, path) => {
    expectError(
      routes(route(HttpMethod.GET, path)),
      `\`functions.items.routes[0].path\` ${RULE}, got: ${JSON.stringify(path)}`,
    );
  });

  test('a path that repeats a parameter name is rejected', () => {
    expectError(
      routes(route(HttpMethod.GET, '/projects/{id}/tasks/{id}')),
      '`functions.items.routes[0].path` must use each path parameter name once (id repeats), got: "/projects/{id}/tasks/{id}"',
    );
  });

  test('an unknown method is rejected', () => {
    expectError(
      routes(route('FETCH' as HttpMethod, '/items')),
      '`functions.items.routes[0].method` must be one of ANY, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, got: "FETCH"',
    );
  });
});

describe('duplicate routes', () => {
  test('the same route twice in one function', () => {
    expectError(
      routes(route(HttpMethod.GET, '/items'), route(HttpMethod.GET, '/items')),
      '`functions.items.routes[1]` duplicates `functions.items.routes[0]`: "GET /items" is declared twice (path parameter names do not make routes differ)',
    );
  });

  test('routes of two functions that differ only by path parameter names', () => {
    expectError(
      {
        functions: {
          items: fn([route(HttpMethod.GET, '/items/{id}')]),
          other: fn([route(HttpMethod.GET, '/items/{itemId}')]),
        },
      },
      '`functions.other.routes[0]` duplicates `functions.items.routes[0]`: "GET /items/{itemId}" is declared twice (path parameter names do not make routes differ)',
    );
  });

  test('greedy parameters that differ only by name', () => {
    expectError(
      routes(route(HttpMethod.ANY, '/files/{path+}'), route(HttpMethod.ANY, '/files/{key+}')),
      '`functions.items.routes[1]` duplicates `functions.items.routes[0]`: "ANY /files/{key+}" is declared twice (path parameter names do not make routes differ)',
    );
  });

  test('a route added with addFunction that an earlier function already serves, and nothing is built for it', () => {
    // GIVEN
    const api = new ServerlessApi(newStack(), 'Api', defaultProps());

    // WHEN / THEN
    expect(() => api.addFunction('copy', fn([route(HttpMethod.GET, '/items/{id}')]))).toThrow(
      new Error(
        '`functions.copy.routes[0]` duplicates `functions.items.routes[0]`: "GET /items/{id}" is declared twice (path parameter names do not make routes differ)',
      ),
    );
    expect(api.functions.map((f) => f.name)).toEqual(['items']);
    expect(api.node.findAll().filter((c) => c.node.id === 'copy')).toEqual([]);
  });
});

describe('route throttling', () => {
  const RATE = 'must be a positive number';
  const BURST = 'must be a whole number between 1 and 5000';
  test.each([
    [0, '0'],
    [-1, '-1'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
  ])('stage and route rateLimit %s are rejected', (rateLimit, shown) => {
    expectError({ throttle: { rateLimit } }, `\`throttle.rateLimit\` ${RATE}, got: ${shown}`);
    expectError(
      withRoute({ throttle: { rateLimit } }),
      `\`functions.items.routes[0].throttle.rateLimit\` ${RATE}, got: ${shown}`,
    );
  });

  test.each([
    [0, '0'],
    [-1, '-1'],
    [NaN, 'NaN'],
    [1.5, '1.5'],
    [5001, '5001'],
  ])('stage and route burstLimit %s are rejected', (burstLimit, shown) => {
    expectError({ throttle: { burstLimit } }, `\`throttle.burstLimit\` ${BURST}, got: ${shown}`);
    expectError(
      withRoute({ throttle: { burstLimit } }),
      `\`functions.items.routes[0].throttle.burstLimit\` ${BURST}, got: ${shown}`,
    );
  });
});

describe('authorization', () => {
  test('is required', () => {
    expectError(
      { authorization: undefined as unknown as ApiAuthorization },
      '`authorization` must be set, e.g. ApiAuthorization.jwt({ issuer, audience }): routes are never open by default, got: undefined',
    );
  });

  test('cannot be none() for the whole API', () => {
    expectError(
      { authorization: ApiAuthorization.none() },
      '`authorization` must not be ApiAuthorization.none(): mark each public route with `authorization: ApiAuthorization.none()` instead, got: "ApiAuthorization.none()"',
    );
  });

  test.each(['http://issuer.example.com', 'issuer.example.com', 'not a url', 'https://', 'https://issuer example.com'])(
    'rejects the JWT issuer %j',
    (issuer) => {
      expectError(
        { authorization: ApiAuthorization.jwt({ issuer, audience: AUDIENCE }) },
        `\`authorization.issuer\` must be an https URL of the token issuer, got: ${JSON.stringify(issuer)}`,
      );
    },
  );

  test('rejects a bad issuer on a route the same way', () => {
    expectError(
      withRoute({ authorization: ApiAuthorization.jwt({ issuer: 'http://partners.example.com', audience: ['p'] }) }),
      '`functions.items.routes[0].authorization.issuer` must be an https URL of the token issuer, got: "http://partners.example.com"',
    );
  });

  test('rejects an empty audience list', () => {
    expectError(
      { authorization: ApiAuthorization.jwt({ issuer: ISSUER, audience: [] }) },
      '`authorization.audience` must list at least one accepted audience (client id), got: []',
    );
  });

  test('rejects an empty audience', () => {
    expectError(
      { authorization: ApiAuthorization.jwt({ issuer: ISSUER, audience: ['web', ' '] }) },
      '`authorization.audience[1]` must not be empty, got: " "',
    );
  });

  test('rejects an identity source that is not a selection expression', () => {
    expectError(
      {
        authorization: ApiAuthorization.jwt({ issuer: ISSUER, audience: AUDIENCE, identitySource: ['Authorization'] }),
      },
      '`authorization.identitySource[0]` must be a selection expression such as "$request.header.Authorization", got: "Authorization"',
    );
  });

  test('rejects scopes on a public route', () => {
    expectError(
      withRoute({ authorization: ApiAuthorization.none(), authorizationScopes: ['admin'] }),
      '`functions.items.routes[0].authorizationScopes` must be empty on a public route (ApiAuthorization.none()), got: ["admin"]',
    );
  });

  test('rejects an empty scopes array, on an authorized and on a public route', () => {
    const message =
      '`functions.items.routes[0].authorizationScopes` must list at least one scope, or be left out, got: []';
    expectError(withRoute({ authorizationScopes: [] }), message);
    expectError(withRoute({ authorization: ApiAuthorization.none(), authorizationScopes: [] }), message);
  });

  test('rejects a scope with a space', () => {
    expectError(
      withRoute({ authorizationScopes: ['tasks:read', 'tasks write'] }),
      '`functions.items.routes[0].authorizationScopes[1]` must be 1 to 256 printable characters without spaces, got: "tasks write"',
    );
  });
});

describe('authorizers', () => {
  const existingFunction = () =>
    lambda.Function.fromFunctionArn(newStack(), 'Authorizer', 'arn:aws:lambda:eu-west-1:123456789012:function:auth');
  const importedPool = () => cognito.UserPool.fromUserPoolId(newStack(), 'Pool', 'eu-west-1_abc123');
  const importedClient = () => cognito.UserPoolClient.fromUserPoolClientId(newStack(), 'Web', 'web-client-id');

  test.each([
    ['iam', ApiAuthorization.iam()],
    ['lambdaRequest', ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY })],
  ])('rejects scopes on a route authorized by %s(), on the route or API-wide', (name, authorization) => {
    const message = `\`functions.items.routes[0].authorizationScopes\` must be left out on a route authorized by ApiAuthorization.${name}(): only jwt() and cognito() authorizers check scopes, got: ["admin"]`;
    expectError(withRoute({ authorization, authorizationScopes: ['admin'] }), message);
    expectError({ authorization, ...withRoute({ authorizationScopes: ['admin'] }) }, message);
  });

  test('an imported user pool needs its app clients', () => {
    const rule =
      'must list at least one app client of the imported `userPool`: their ids are the accepted audiences, got: []';
    expectError(
      { authorization: ApiAuthorization.cognito({ userPool: importedPool() }) },
      `\`authorization.userPoolClients\` ${rule}`,
    );
    expectError(
      withRoute({ authorization: ApiAuthorization.cognito({ userPool: importedPool(), userPoolClients: [] }) }),
      `\`functions.items.routes[0].authorization.userPoolClients\` ${rule}`,
    );
  });

  test('app clients without an imported user pool are rejected', () => {
    expectError(
      { authorization: ApiAuthorization.cognito({ userPoolClients: [importedClient()] }) },
      '`authorization.userPoolClients` must be left out unless `userPool` is imported: the API creates the clients of the pool it creates (see `clients`), got: ["Test/Web"]',
    );
  });

  test.each([
    ['selfSignUp', { selfSignUp: true }, 'true'],
    ['threatProtection', { threatProtection: false }, 'false'],
    ['removalPolicy', { removalPolicy: RemovalPolicy.DESTROY }, '"destroy"'],
  ])('%s is rejected with an imported user pool', (name, settings, shown) => {
    expectError(
      {
        authorization: ApiAuthorization.cognito({
          userPool: importedPool(),
          userPoolClients: [importedClient()],
          ...settings,
        }),
      },
      `\`authorization.${name}\` must be left out when \`userPool\` is imported: the pool keeps its own settings, got: ${shown}`,
    );
  });

  test("a route's own cognito() may not create a second user pool", () => {
    expectError(
      withRoute({ authorization: ApiAuthorization.cognito() }),
      "`functions.items.routes[0].authorization.userPool` must be given on a route's own ApiAuthorization.cognito(): only the API-wide `authorization` creates a user pool (pass that same object, or import a pool), got: undefined",
    );
  });

  test('a Lambda authorizer needs exactly one of entry and authorizerFunction', () => {
    const rule =
      'must set exactly one of `entry` (a handler file to bundle) and `authorizerFunction` (an existing function), got:';
    expectError(
      {
        authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY, authorizerFunction: existingFunction() }),
      },
      `\`authorization\` ${rule} "both"`,
    );
    expectError({ authorization: ApiAuthorization.lambdaRequest({}) }, `\`authorization\` ${rule} "neither"`);
    expectError(
      withRoute({ authorization: ApiAuthorization.lambdaRequest({}) }),
      `\`functions.items.routes[0].authorization\` ${rule} "neither"`,
    );
  });

  test("a Lambda authorizer's entry must be a JavaScript or TypeScript file", () => {
    expectError(
      { authorization: ApiAuthorization.lambdaRequest({ entry: 'src/authorizer.py' }) },
      '`authorization.entry` must be a .ts, .js, .mjs or .cjs file with the handler, got: "src/authorizer.py"',
    );
  });

  test("a Lambda authorizer's entry must exist, named where it is declared", () => {
    expectError(
      withRoute({ authorization: ApiAuthorization.lambdaRequest({ entry: 'src/missing-authorizer.ts' }) }),
      `\`functions.items.routes[0].authorization.entry\` must be an existing file (a relative path is read from the working directory, ${process.cwd()}), got: "src/missing-authorizer.ts"`,
    );
  });

  test.each([
    [Duration.hours(2), '2 hours'],
    [Duration.seconds(3601), '1 hour 1 second'],
    [Duration.millis(1500), '1 second 500 millis'],
  ])('a results cache TTL of %s is rejected', (resultsCacheTtl, shown) => {
    expectError(
      { authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY, resultsCacheTtl }) },
      `\`authorization.resultsCacheTtl\` must be a whole number of seconds from 0 (no caching) to 1 hour, got: ${shown}`,
    );
  });

  test('a results cache TTL that is a token is not checked', () => {
    const resultsCacheTtl = Duration.seconds(Lazy.number({ produce: () => 7200 }));
    expect(
      () =>
        new ServerlessApi(newStack(), 'Api', {
          ...defaultProps(),
          authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY, resultsCacheTtl }),
        }),
    ).not.toThrow();
  });

  test('a cached Lambda authorizer needs an identity source: it is the cache key', () => {
    const message =
      '`authorization.identitySource` must list at least one source while results are cached, as they are the cache key (or set `resultsCacheTtl: Duration.seconds(0)`), got: []';
    expectError(
      { authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY, identitySource: [] }) },
      message,
    );
    expectError(
      {
        authorization: ApiAuthorization.lambdaRequest({
          authorizerFunction: existingFunction(),
          identitySource: [],
          resultsCacheTtl: Duration.seconds(1),
        }),
      },
      message,
    );
  });

  test("a Lambda authorizer's identity sources must be selection expressions", () => {
    expectError(
      { authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY, identitySource: ['X-Api-Key'] }) },
      '`authorization.identitySource[0]` must be a selection expression such as "$request.header.Authorization", got: "X-Api-Key"',
    );
  });
});

describe('functions', () => {
  const NAME_RULE = 'must have names of 1 to 64 letters and digits, starting with a letter';
  test.each(['my-items', '1items', 'items_v2', 'a'.repeat(65), ''])('rejects the function name %j', (name) => {
    expectError(
      { functions: { [name]: fn([route(HttpMethod.GET, '/items')]) } },
      `\`functions\` ${NAME_RULE}, got: ${JSON.stringify(name)}`,
    );
  });

  test('addFunction rejects a name already taken', () => {
    const api = new ServerlessApi(newStack(), 'Api', defaultProps());
    expect(() => api.addFunction('items', fn([route(HttpMethod.GET, '/other')]))).toThrow(
      new Error('`functions` must have unique names, got: "items"'),
    );
  });

  test('addFunction rejects a bad name exactly like the functions prop', () => {
    const api = new ServerlessApi(newStack(), 'Api', defaultProps());
    expect(() => api.addFunction('my-items', fn([route(HttpMethod.GET, '/other')]))).toThrow(
      new Error(`\`functions\` ${NAME_RULE}, got: "my-items"`),
    );
  });

  test('a function must serve at least one route', () => {
    expectError(
      { functions: { items: fn([]) } },
      '`functions.items.routes` must list at least one route the function serves, got: []',
    );
  });

  test.each([
    'TABLE_NAME',
    'TABLE_PARTITION_KEY',
    'TABLE_SORT_KEY',
    'TABLE_TTL_ATTRIBUTE',
    'TABLE_ACCESS_PATTERNS',
    'TABLE_INDEX_KEYS',
    'SERVERLESS_API_CORS',
  ])('the environment may not set %s', (name) => {
    expectError(
      { functions: { items: fn([route(HttpMethod.GET, '/items')], { environment: { [name]: 'x' } }) } },
      `\`functions.items.environment\` must not set ${name}: the library sets it from the API's settings, got: "${name}"`,
    );
  });

  test('the entry must be a JavaScript or TypeScript file', () => {
    expectError(
      { functions: { items: { entry: 'src/handler.py', routes: [route(HttpMethod.GET, '/items')] } } },
      '`functions.items.entry` must be a .ts, .js, .mjs or .cjs file with the handler, got: "src/handler.py"',
    );
  });

  test('the entry must exist, before anything is built', () => {
    expectError(
      { functions: { items: { entry: 'src/handlers/missing.ts', routes: [route(HttpMethod.GET, '/items')] } } },
      `\`functions.items.entry\` must be an existing file (a relative path is read from the working directory, ${process.cwd()}), got: "src/handlers/missing.ts"`,
    );
  });

  test('the handler must be an exported function name', () => {
    expectError(
      { functions: { items: fn([route(HttpMethod.GET, '/items')], { handler: 'index.handler' }) } },
      '`functions.items.handler` must be the name of an exported function, such as "handler", got: "index.handler"',
    );
  });
});

describe('function settings, per function and in functionDefaults', () => {
  const TIMEOUT_LIMIT =
    "must be below the API's 30 seconds integration timeout, or callers get a 503 while the function still runs";
  test.each([
    [Duration.seconds(30), '30 seconds'],
    [Duration.minutes(1), '1 minute'],
  ])('a timeout of %s is rejected: it reaches the API integration timeout', (timeout, shown) => {
    expectError({ functionDefaults: { timeout } }, `\`functionDefaults.timeout\` ${TIMEOUT_LIMIT}, got: ${shown}`);
    expectError(
      { functions: { items: fn([route(HttpMethod.GET, '/items')], { timeout }) } },
      `\`functions.items.timeout\` ${TIMEOUT_LIMIT}, got: ${shown}`,
    );
  });

  test.each([
    [Duration.millis(1500), '1 second 500 millis'],
    [Duration.millis(500), '500 millis'],
    [Duration.seconds(0), '0 seconds'],
  ])('a timeout of %s is rejected: whole seconds only, at least 1', (timeout, shown) => {
    const rule = 'must be a whole number of seconds, at least 1';
    expectError({ functionDefaults: { timeout } }, `\`functionDefaults.timeout\` ${rule}, got: ${shown}`);
    expectError(
      { functions: { items: fn([route(HttpMethod.GET, '/items')], { timeout }) } },
      `\`functions.items.timeout\` ${rule}, got: ${shown}`,
    );
  });

  test.each([127, 10241, 512.5, 0])('memory of %s MB is rejected', (memorySize) => {
    const rule = 'must be a whole number between 128 and 10240';
    expectError({ functionDefaults: { memorySize } }, `\`functionDefaults.memorySize\` ${rule}, got: ${memorySize}`);
    expectError(
      { functions: { items: fn([route(HttpMethod.GET, '/items')], { memorySize }) } },
      `\`functions.items.memorySize\` ${rule}, got: ${memorySize}`,
    );
  });

  test('a runtime other than Node.js is rejected', () => {
    const rule = 'must be a Node.js runtime (handlers are bundled with esbuild)';
    expectError(
      { functionDefaults: { runtime: lambda.Runtime.PYTHON_3_12 } },
      `\`functionDefaults.runtime\` ${rule}, got: "python3.12"`,
    );
    expectError(
      { functions: { items: fn([route(HttpMethod.GET, '/items')], { runtime: lambda.Runtime.PYTHON_3_12 }) } },
      `\`functions.items.runtime\` ${rule}, got: "python3.12"`,
    );
  });
});

describe('access patterns', () => {
  const PREFIX_RULE =
    'must start with a literal prefix such as "PROJECT#", so IAM can limit the role to it with dynamodb:LeadingKeys (a leading {param} would match every partition)';
  test.each(['{projectId}', '{tenant}#PROJECT#{projectId}'])(
    'a partition key shape without a literal prefix is rejected: %j',
    (shape) => {
      expectError(
        withPatterns({ getTask: AccessPattern.getItem({ partitionKey: shape, sortKey: 'TASK#{taskId}' }) }),
        `\`accessPatterns.getTask.partitionKey\` ${PREFIX_RULE}, got: ${JSON.stringify(shape)}`,
      );
    },
  );

  const WILDCARDS =
    'literal text may not contain "*", "?", whitespace or unmatched braces; parameters are written {name}';
  test.each([
    ['PROJECT#*', WILDCARDS],
    ['PROJECT#?', WILDCARDS],
    ['PROJECT #{id}', WILDCARDS],
    ['PROJECT#{id', WILDCARDS],
    ['PROJECT#{project-id}', WILDCARDS],
    ['PROJECT#{a}{b}', 'separate parameters with literal text such as "#"'],
  ])('the key shape %j is rejected', (shape, reason) => {
    expectError(
      withPatterns({ listTasks: AccessPattern.query({ partitionKey: shape }) }),
      `\`accessPatterns.listTasks.partitionKey\` must be literal text with {param} placeholders: ${reason}, got: ${JSON.stringify(shape)}`,
    );
  });

  test('sort key shapes are checked the same way, under their own prop names', () => {
    expectError(
      withPatterns({ getTask: AccessPattern.getItem({ partitionKey: 'PROJECT#{p}', sortKey: 'TASK#*' }) }),
      `\`accessPatterns.getTask.sortKey\` must be literal text with {param} placeholders: ${WILDCARDS}, got: "TASK#*"`,
    );
    expectError(
      withPatterns({ listTasks: AccessPattern.query({ partitionKey: 'PROJECT#{p}', sortKeyPrefix: 'TASK# ' }) }),
      `\`accessPatterns.listTasks.sortKeyPrefix\` must be literal text with {param} placeholders: ${WILDCARDS}, got: "TASK# "`,
    );
    expectError(
      withPatterns({ listTasks: AccessPattern.query({ partitionKey: 'PROJECT#{p}', sortKeyPrefix: '' }) }),
      '`accessPatterns.listTasks.sortKeyPrefix` must be a literal key shape such as "PROJECT#{projectId}", got: ""',
    );
  });

  test('shapes must be literals: a token cannot be turned into a LeadingKeys pattern', () => {
    const props = withPatterns({
      listTasks: AccessPattern.query({ partitionKey: Lazy.string({ produce: () => 'PROJECT#' }) }),
    });
    expect(() => new ServerlessApi(newStack(), 'Api', { ...defaultProps(), ...props })).toThrow(
      /^`accessPatterns\.listTasks\.partitionKey` must be a literal key shape such as "PROJECT#\{projectId\}", got: "\$\{Token\[TOKEN\.\d+\]\}"$/,
    );
  });

  test('pattern names are letters and digits', () => {
    expectError(
      withPatterns({ 'list-tasks': AccessPattern.query({ partitionKey: 'PROJECT#{p}' }) }),
      '`accessPatterns` must have names of 1 to 64 letters and digits, starting with a letter, got: "list-tasks"',
    );
  });

  test('a function using an undeclared pattern is rejected, naming the declared ones', () => {
    expectError(
      withPatterns({ listTasks: AccessPattern.query({ partitionKey: 'PROJECT#{p}' }) }, ['listTasks', 'getTask']),
      '`functions.items.accessPatterns[1]` must name one of the API\'s `accessPatterns` (declared: "listTasks"), got: "getTask"',
    );
    expectError(
      withPatterns({}, ['getTask']),
      '`functions.items.accessPatterns[0]` must name one of the API\'s `accessPatterns` (declared: none), got: "getTask"',
    );
  });

  test('a function naming a pattern twice is rejected', () => {
    expectError(
      withPatterns({ listTasks: AccessPattern.query({ partitionKey: 'PROJECT#{p}' }) }, ['listTasks', 'listTasks']),
      '`functions.items.accessPatterns[1]` duplicates `functions.items.accessPatterns[0]`: "listTasks" is declared twice',
    );
  });

  test('an index declared on the table that no pattern uses is rejected: indexes exist for named patterns only', () => {
    expectError(
      {
        table: { globalSecondaryIndexes: [{ indexName: 'byStatus', partitionKey: 'GSI1PK' }] },
        ...withPatterns({ listTasks: AccessPattern.query({ partitionKey: 'PROJECT#{p}' }) }),
      },
      '`table.globalSecondaryIndexes[0].indexName` must be used by an access pattern (`indexName` of an AccessPattern.query or scan): indexes exist only for named access patterns, got: "byStatus"',
    );
  });

  test('a sort key prefix on an index without a sort key is rejected', () => {
    expectError(
      {
        table: { globalSecondaryIndexes: [{ indexName: 'byStatus', partitionKey: 'GSI1PK' }] },
        ...withPatterns({
          byStatus: AccessPattern.query({ partitionKey: 'STATUS#{s}', sortKeyPrefix: 'DUE#', indexName: 'byStatus' }),
        }),
      },
      '`accessPatterns.byStatus.sortKeyPrefix` must be left out: index "byStatus" has no sort key, got: "DUE#"',
    );
  });

  test('on an existing table, a pattern may only use the indexes listed for it', () => {
    const table = dynamodb.TableV2.fromTableName(newStack(), 'Existing', 'orders');
    expectError(
      {
        existingTable: { table, globalSecondaryIndexes: [{ indexName: 'byOwner', partitionKey: 'G1' }] },
        ...withPatterns({ byStatus: AccessPattern.query({ partitionKey: 'STATUS#{s}', indexName: 'byStatus' }) }),
      },
      '`accessPatterns.byStatus.indexName` must name an index of the existing table listed in `existingTable.globalSecondaryIndexes` (listed: "byOwner"), got: "byStatus"',
    );
    expectError(
      {
        existingTable: { table },
        ...withPatterns({ scanStatus: AccessPattern.scan({ indexName: 'byStatus' }) }),
      },
      '`accessPatterns.scanStatus.indexName` must name an index of the existing table listed in `existingTable.globalSecondaryIndexes` (listed: none), got: "byStatus"',
    );
  });

  test('at most 20 indexes, counting those derived from patterns', () => {
    const patterns = Object.fromEntries(
      Array.from({ length: 21 }, (_, i) => [
        `q${i}`,
        AccessPattern.query({ partitionKey: `K${i}#{k}`, indexName: `index${i}` }),
      ]),
    );
    expect(() => new ServerlessApi(newStack(), 'Api', { ...defaultProps(), ...withPatterns(patterns) })).toThrow(
      /^`accessPatterns` must use at most 20 indexes, got: \["index0",/,
    );
  });

  test("a function's whole environment, table variables and pattern descriptors included, must fit Lambda's 4 KB", () => {
    // The fixed part: NODE_OPTIONS, POWERTOOLS_SERVICE_NAME, the table's four variables (the name counted at its
    // longest, 255 bytes), TABLE_ACCESS_PATTERNS with one descriptor, and the name BIG: 485 bytes. 3,611 more make
    // exactly 4,096.
    const props = (size: number): Partial<ServerlessApiProps> => ({
      accessPatterns: { listTasks: AccessPattern.query({ partitionKey: 'PROJECT#{p}' }) },
      functions: {
        items: fn([route(HttpMethod.GET, '/items')], {
          accessPatterns: ['listTasks'],
          environment: { BIG: 'x'.repeat(size) },
        }),
      },
    });
    expect(() => new ServerlessApi(newStack(), 'Api', { ...defaultProps(), ...props(3611) })).not.toThrow();
    expectError(
      props(3612),
      '`functions.items` must fit Lambda\'s 4096-byte environment with its `environment`, the descriptors of its `accessPatterns`, its `queues` and its `publishes`: split the function or shorten its variables, got: "4097 bytes, counting 255 for each value known only at deploy time"',
    );
  });

  test('the queues a function sends to count too, each URL at its longest', () => {
    // SERVERLESS_API_QUEUES (21 bytes) holds {"jobs":{"url":"<URL>","fifo":false}}: 32 bytes and the URL, counted at
    // 255: 308 bytes in all, so the same function fits with 308 bytes less of its own.
    const props = (size: number): Partial<ServerlessApiProps> => ({
      accessPatterns: { listTasks: AccessPattern.query({ partitionKey: 'PROJECT#{p}' }) },
      queues: { jobs: { worker: { entry: HANDLER_ENTRY } } },
      functions: {
        items: fn([route(HttpMethod.GET, '/items')], {
          accessPatterns: ['listTasks'],
          queues: ['jobs'],
          environment: { BIG: 'x'.repeat(size) },
        }),
      },
    });
    expect(() => new ServerlessApi(newStack(), 'Api', { ...defaultProps(), ...props(3611 - 308) })).not.toThrow();
    expectError(
      props(3611 - 307),
      '`functions.items` must fit Lambda\'s 4096-byte environment with its `environment`, the descriptors of its `accessPatterns`, its `queues` and its `publishes`: split the function or shorten its variables, got: "4097 bytes, counting 255 for each value known only at deploy time"',
    );
  });

  test.each([0, -1, 1.5])('reservedConcurrentExecutions = %p is rejected', (value) => {
    expectError(
      { functions: { items: fn([route(HttpMethod.GET, '/items')], { reservedConcurrentExecutions: value }) } },
      `\`functions.items.reservedConcurrentExecutions\` must be a whole number between 1 and 10000, got: ${value}`,
    );
  });
});

describe('table', () => {
  test('a customer-managed key needs a stack with a region', () => {
    expectError(
      { table: { encryption: TableEncryption.customerManaged() } },
      '`table.encryption` must be used in a stack with a region (`env: { region }`) when it is customer-managed: the table\'s replica is keyed by region, got: "an environment-agnostic stack"',
    );
  });

  const TTL_RULE = 'must differ from the key attributes: TTL needs a number attribute of its own holding epoch seconds';
  test('the TTL attribute may not be the partition key or the sort key', () => {
    expectError({ table: { timeToLiveAttribute: 'PK' } }, `\`table.timeToLiveAttribute\` ${TTL_RULE}, got: "PK"`);
    expectError({ table: { timeToLiveAttribute: 'SK' } }, `\`table.timeToLiveAttribute\` ${TTL_RULE}, got: "SK"`);
    expectError(
      { table: { partitionKey: 'id', sortKey: 'kind', timeToLiveAttribute: 'kind' } },
      `\`table.timeToLiveAttribute\` ${TTL_RULE}, got: "kind"`,
    );
  });

  test('the TTL attribute may not be an index key', () => {
    expectError(
      { table: { globalSecondaryIndexes: [{ indexName: 'byExpiry', partitionKey: 'expiresAt' }] } },
      '`table.globalSecondaryIndexes[0].partitionKey` must differ from the TTL attribute "expiresAt" (a number, keys are strings), got: "expiresAt"',
    );
    expectError(
      { table: { globalSecondaryIndexes: [{ indexName: 'byExpiry', partitionKey: 'G1', sortKey: 'expiresAt' }] } },
      '`table.globalSecondaryIndexes[0].sortKey` must differ from the TTL attribute "expiresAt" (a number, keys are strings), got: "expiresAt"',
    );
  });

  test('the partition key and the sort key must differ', () => {
    expectError(
      { table: { partitionKey: 'id', sortKey: 'id' } },
      '`table.sortKey` must differ from the partition key "id", got: "id"',
    );
  });

  test("an index's partition key and sort key must differ", () => {
    expectError(
      { table: { globalSecondaryIndexes: [{ indexName: 'byOwner', partitionKey: 'G1', sortKey: 'G1' }] } },
      '`table.globalSecondaryIndexes[0].sortKey` must differ from the index partition key "G1", got: "G1"',
    );
  });

  test('index names must be unique', () => {
    expectError(
      {
        table: {
          globalSecondaryIndexes: [
            { indexName: 'byStatus', partitionKey: 'G1' },
            { indexName: 'byStatus', partitionKey: 'G2' },
          ],
        },
      },
      '`table.globalSecondaryIndexes[1]` duplicates `table.globalSecondaryIndexes[0]`: "byStatus" is declared twice',
    );
  });

  test('ProjectionType.INCLUDE needs nonKeyAttributes, and only INCLUDE takes them', () => {
    const include = { indexName: 'byStatus', partitionKey: 'G1', projectionType: dynamodb.ProjectionType.INCLUDE };
    expectError(
      { table: { globalSecondaryIndexes: [include] } },
      '`table.globalSecondaryIndexes[0].nonKeyAttributes` must list at least one attribute with ProjectionType.INCLUDE, got: undefined',
    );
    expectError(
      { table: { globalSecondaryIndexes: [{ ...include, nonKeyAttributes: [] }] } },
      '`table.globalSecondaryIndexes[0].nonKeyAttributes` must list at least one attribute with ProjectionType.INCLUDE, got: []',
    );
    expectError(
      {
        table: { globalSecondaryIndexes: [{ indexName: 'byStatus', partitionKey: 'G1', nonKeyAttributes: ['title'] }] },
      },
      '`table.globalSecondaryIndexes[0].nonKeyAttributes` must be set only with ProjectionType.INCLUDE, got: ["title"]',
    );
  });

  test('attribute, index and table names follow DynamoDB naming rules', () => {
    const attributeRule = 'must be 1 to 255 characters of letters, digits, "_", "-" or "."';
    const nameRule = 'must be 3 to 255 characters of letters, digits, "_", "-" or "."';
    expectError({ table: { partitionKey: 'my key' } }, `\`table.partitionKey\` ${attributeRule}, got: "my key"`);
    expectError({ table: { sortKey: '' } }, `\`table.sortKey\` ${attributeRule}, got: ""`);
    expectError(
      { table: { timeToLiveAttribute: 'expires at' } },
      `\`table.timeToLiveAttribute\` ${attributeRule}, got: "expires at"`,
    );
    expectError(
      { table: { globalSecondaryIndexes: [{ indexName: 'by', partitionKey: 'G1' }] } },
      `\`table.globalSecondaryIndexes[0].indexName\` ${nameRule}, got: "by"`,
    );
    expectError({ table: { tableName: 'my table' } }, `\`table.tableName\` ${nameRule}, got: "my table"`);
  });

  test('table and existingTable cannot both be set', () => {
    const stack = newStack();
    const table = dynamodb.TableV2.fromTableName(stack, 'Existing', 'orders');
    expect(
      () =>
        new ServerlessApi(stack, 'Api', { ...defaultProps(), table: { tableName: 'mine' }, existingTable: { table } }),
    ).toThrow(
      new Error('`table` and `existingTable` cannot both be set: configure a new table or bring an existing one'),
    );
  });

  test('existingTable key names and index names are checked the same way', () => {
    const existing = () => dynamodb.TableV2.fromTableName(newStack(), 'Existing', 'orders');
    expectError(
      { existingTable: { table: existing(), partitionKey: 'id', sortKey: 'id' } },
      '`existingTable.sortKey` must differ from the partition key "id", got: "id"',
    );
    expectError(
      { existingTable: { table: existing(), timeToLiveAttribute: 'SK' } },
      `\`existingTable.timeToLiveAttribute\` ${TTL_RULE}, got: "SK"`,
    );
    expectError(
      {
        existingTable: {
          table: existing(),
          globalSecondaryIndexes: [
            { indexName: 'byKind', partitionKey: 'G1' },
            { indexName: 'byKind', partitionKey: 'G2' },
          ],
        },
      },
      '`existingTable.globalSecondaryIndexes[1]` duplicates `existingTable.globalSecondaryIndexes[0]`: "byKind" is declared twice',
    );
  });
});

describe('logRetention', () => {
  test('cannot be infinite', () => {
    expectError(
      { logRetention: logs.RetentionDays.INFINITE },
      '`logRetention` must be bounded: logs kept forever are paid for forever, got: "RetentionDays.INFINITE"',
    );
  });
});

describe('tokens are not validated as literals', () => {
  test('GIVEN tokens wherever a literal would be checked THEN the API synthesizes with the resolved values', () => {
    // GIVEN values only known at synth time
    const late = <T>(value: T) => Lazy.any({ produce: () => value }) as unknown as T;
    const stack = newStack();

    // WHEN
    new ServerlessApi(stack, 'Api', {
      accessPatterns: itemPatterns(),
      authorization: ApiAuthorization.jwt({
        issuer: Lazy.string({ produce: () => ISSUER }),
        audience: [Lazy.string({ produce: () => 'late-client' })],
      }),
      throttle: { rateLimit: Token.asNumber(late(7)), burstLimit: Token.asNumber(late(9)) },
      functionDefaults: { memorySize: Token.asNumber(late(1024)), timeout: Duration.seconds(Token.asNumber(late(12))) },
      alarms: {
        functions: { throttles: { maxCount: Token.asNumber(late(4)) } },
        api: { latencyP99: { maxLatency: Duration.millis(Token.asNumber(late(800))) } },
      },
      functions: {
        items: {
          entry: HANDLER_ENTRY,
          routes: [
            route(HttpMethod.GET, '/items', {
              authorizationScopes: [Lazy.string({ produce: () => 'items:read' })],
              throttle: { burstLimit: Token.asNumber(late(3)) },
            }),
          ],
          accessPatterns: ['getItem'],
        },
      },
    });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: ISSUER, Audience: ['late-client'] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 },
      RouteSettings: { 'GET /items': { ThrottlingRateLimit: 7, ThrottlingBurstLimit: 3 } },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { AuthorizationScopes: ['items:read'] });
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 1024, Timeout: 12 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 800 });
    const functionAlarm = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: Match.stringLikeRegexp('-Function-items$') },
    });
    expect(Object.values(functionAlarm).map((alarm: any) => alarm.Properties.Metrics[0].Expression)).toEqual([
      'IF(FILL(errorRate, 0) > 1 OR FILL(throttles, 0) > 4 OR FILL(durationP99, 0) > 80, 1, 0)',
    ]);
    expect(JSON.stringify(functionAlarm)).toContain('100 * FILL(duration_items, 0) / (1000 * 12)');
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        {
          PolicyName: 'access',
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Condition: Match.objectLike({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ITEM#?*'] } }),
              }),
            ]),
          },
        },
      ],
    });
  });
});

describe('validation happens before anything is built', () => {
  test('a rejected API adds nothing to the stack', () => {
    const stack = newStack();
    expect(
      () => new ServerlessApi(stack, 'Api', { ...defaultProps(), logRetention: logs.RetentionDays.INFINITE }),
    ).toThrow(
      new Error(
        '`logRetention` must be bounded: logs kept forever are paid for forever, got: "RetentionDays.INFINITE"',
      ),
    );
    const api = stack.node.tryFindChild('Api');
    expect(api?.node.children ?? []).toEqual([]);
  });
});
