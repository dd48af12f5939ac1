import { Duration, Lazy, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  ApiAuthorization,
  RouteOptions,
  ServerlessApi,
  ServerlessApiProps,
  TableAccess,
  TableEncryption,
} from '../src';
import { AUDIENCE, defaultProps, expectError, fn, HANDLER_ENTRY, ISSUER, newStack, route } from './util';

/** Props with a single function `items` serving exactly these routes. */
const routes = (...r: RouteOptions[]): Partial<ServerlessApiProps> => ({ functions: { items: fn(r) } });
const withRoute = (options: Partial<RouteOptions>) => routes(route(HttpMethod.GET, '/items', options));
const withAccess = (...tableAccess: TableAccess[]): Partial<ServerlessApiProps> => ({
  functions: { items: fn([route(HttpMethod.GET, '/items')], { tableAccess }) },
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

  test.each(['TABLE_NAME', 'TABLE_PARTITION_KEY', 'TABLE_SORT_KEY', 'TABLE_TTL_ATTRIBUTE'])(
    'the environment may not set %s',
    (name) => {
      expectError(
        { functions: { items: fn([route(HttpMethod.GET, '/items')], { environment: { [name]: 'x' } }) } },
        `\`functions.items.environment\` must not set ${name}: the library sets it from the table, got: "${name}"`,
      );
    },
  );

  test('the entry must be a JavaScript or TypeScript file', () => {
    expectError(
      { functions: { items: { entry: 'src/handler.py', routes: [route(HttpMethod.GET, '/items')] } } },
      '`functions.items.entry` must be a .ts, .js, .mjs or .cjs file with the handler, got: "src/handler.py"',
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

describe('table access', () => {
  const PATTERN_RULE =
    'must start with a literal prefix such as "PROJECT#" and contain no whitespace (a leading wildcard would grant the whole table)';
  test.each(['*', '*FOO', '?x', 'PROJECT# 1', ' PROJECT#*', 'PROJECT#\t*', ''])(
    'rejects the key pattern %j',
    (pattern) => {
      expectError(
        withAccess(TableAccess.read(['USER#*', pattern])),
        `\`functions.items.tableAccess[0].keyPatterns[1]\` ${PATTERN_RULE}, got: ${JSON.stringify(pattern)}`,
      );
    },
  );

  test.each([
    ['read', TableAccess.read([])],
    ['write', TableAccess.write([])],
    ['readWrite', TableAccess.readWrite([])],
    ['queryIndex', TableAccess.queryIndex('byStatus', [])],
  ])('%s without key patterns is rejected', (_, access) => {
    expectError(
      {
        table: { globalSecondaryIndexes: [{ indexName: 'byStatus', partitionKey: 'GSI1PK' }] },
        ...withAccess(access),
      },
      '`functions.items.tableAccess[0].keyPatterns` must list at least one partition key pattern such as "PROJECT#*", got: []',
    );
  });

  test('queryIndex on an index the table does not declare is rejected', () => {
    expectError(
      withAccess(TableAccess.queryIndex('byStatus', ['STATUS#*'])),
      '`functions.items.tableAccess[0].indexName` must name an index declared on the table (declared: none), got: "byStatus"',
    );
    expectError(
      {
        table: {
          globalSecondaryIndexes: [
            { indexName: 'byOwner', partitionKey: 'G1' },
            { indexName: 'byDate', partitionKey: 'G2' },
          ],
        },
        ...withAccess(TableAccess.read(['A#*']), TableAccess.queryIndex('byStatus', ['STATUS#*'])),
      },
      '`functions.items.tableAccess[1].indexName` must name an index declared on the table (declared: "byOwner", "byDate"), got: "byStatus"',
    );
  });

  test('scan of an undeclared index is rejected', () => {
    expectError(
      withAccess(TableAccess.scan('byStatus')),
      '`functions.items.tableAccess[0].indexName` must name an index declared on the table (declared: none), got: "byStatus"',
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

  test('at most 20 indexes', () => {
    const globalSecondaryIndexes = Array.from({ length: 21 }, (_, i) => ({
      indexName: `index${i}`,
      partitionKey: `G${i}`,
    }));
    expectError(
      { table: { globalSecondaryIndexes } },
      '`table.globalSecondaryIndexes` must have at most 20 indexes, got: 21',
    );
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
      { existingTable: { table: existing(), indexNames: ['byKind', 'byKind'] } },
      '`existingTable.indexNames[1]` duplicates `existingTable.indexNames[0]`: "byKind" is declared twice',
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

describe('alarm thresholds', () => {
  test.each([
    ['functionErrorRatePercent', 0, 'must be a positive number, got: 0'],
    ['functionErrorRatePercent', -1, 'must be a positive number, got: -1'],
    ['functionErrorRatePercent', 100, 'must be below 100, got: 100'],
    ['apiServerErrorRatePercent', 0, 'must be a positive number, got: 0'],
    ['apiServerErrorRatePercent', NaN, 'must be a positive number, got: NaN'],
    ['apiServerErrorRatePercent', 150, 'must be below 100, got: 150'],
    ['functionThrottles', -1, 'must be a whole number between 0 and 9007199254740991, got: -1'],
    ['functionThrottles', 0.5, 'must be a whole number between 0 and 9007199254740991, got: 0.5'],
    ['tableThrottledRequests', -1, 'must be a whole number between 0 and 9007199254740991, got: -1'],
  ])('alarms.%s = %s is rejected', (prop, value, requirement) => {
    expectError({ alarms: { [prop]: value } }, `\`alarms.${prop}\` ${requirement}`);
  });

  test('apiLatencyP99 must be positive', () => {
    expectError(
      { alarms: { apiLatencyP99: Duration.seconds(0) } },
      '`alarms.apiLatencyP99` must be a positive duration, got: 0 seconds',
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
      authorization: ApiAuthorization.jwt({
        issuer: Lazy.string({ produce: () => ISSUER }),
        audience: [Lazy.string({ produce: () => 'late-client' })],
      }),
      throttle: { rateLimit: Token.asNumber(late(7)), burstLimit: Token.asNumber(late(9)) },
      functionDefaults: { memorySize: Token.asNumber(late(1024)), timeout: Duration.seconds(Token.asNumber(late(12))) },
      alarms: { functionThrottles: Token.asNumber(late(4)), apiLatencyP99: Duration.millis(Token.asNumber(late(800))) },
      functions: {
        items: {
          entry: HANDLER_ENTRY,
          routes: [
            route(HttpMethod.GET, '/items', {
              authorizationScopes: [Lazy.string({ produce: () => 'items:read' })],
              throttle: { burstLimit: Token.asNumber(late(3)) },
            }),
          ],
          tableAccess: [TableAccess.read([Lazy.string({ produce: () => 'ITEM#*' })])],
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
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        {
          PolicyName: 'access',
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Condition: Match.objectLike({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ITEM#*'] } }),
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
