import { Duration, Fn, Lazy, Size, Token } from 'aws-cdk-lib';
import { JsonSchemaType, MethodLoggingLevel, Period } from 'aws-cdk-lib/aws-apigateway';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  ApiAuthorization,
  ApiCacheSize,
  ApiType,
  CorsOptions,
  RouteOptions,
  ServerlessApi,
  ServerlessApiProps,
} from '../../src';
import { buildApi, defaultProps, expectError, fn, HANDLER_ENTRY, jwt, newStack, route } from '../helpers/api';

/** A REST API whose API-wide authorization REST APIs have (jwt(), the default of the other tests, is HTTP-only). */
const REST: Partial<ServerlessApiProps> = { apiType: ApiType.REST, authorization: ApiAuthorization.iam() };

const WEB_ACL_ARN = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api-acl/a1b2c3d4-5678-90ab-cdef-111111111111';

const ROUTE = 'functions.items.routes[0]';

/** Props with a single function `items` serving exactly these routes. */
const routes = (...r: RouteOptions[]): Partial<ServerlessApiProps> => ({ functions: { items: fn(r) } });

/** `base` with one route of function `items` on `/items`. */
const withRoute = (
  base: Partial<ServerlessApiProps>,
  options: Partial<RouteOptions>,
  method: HttpMethod = HttpMethod.GET,
): Partial<ServerlessApiProps> => ({ ...base, ...routes(route(method, '/items', options)) });

/** Construction and synthesis both succeed. */
const expectAccepted = (props: Partial<ServerlessApiProps>) => expect(() => buildApi(props)).not.toThrow();

const restOnly = (prop: string, feature: string, shown: string) =>
  `\`${prop}\` must be left out on an HTTP API: only REST APIs have ${feature} (set \`apiType: ApiType.REST\`), got: ${shown}`;

describe('apiType', () => {
  test('a value that is not an ApiType is rejected', () => {
    expectError(
      { apiType: 'GRAPHQL' as ApiType },
      '`apiType` must be one of ApiType.HTTP, ApiType.REST, got: "GRAPHQL"',
    );
  });

  test('a token is rejected: the resources built depend on the kind of API', () => {
    const apiType = Lazy.string({ produce: () => 'REST' }) as ApiType;
    expectError({ apiType }, `\`apiType\` must be one of ApiType.HTTP, ApiType.REST, got: ${JSON.stringify(apiType)}`);
  });
});

describe('REST-only API props', () => {
  const PROPS: [string, Partial<ServerlessApiProps>, string, string][] = [
    [
      'usagePlans',
      { usagePlans: { free: { apiKeys: ['partner'] } } },
      'usage plans and API keys',
      '{"free":{"apiKeys":["partner"]}}',
    ],
    ['webAclArn', { webAclArn: WEB_ACL_ARN }, 'AWS WAF web ACLs', JSON.stringify(WEB_ACL_ARN)],
    ['minCompressionSize', { minCompressionSize: Size.kibibytes(1) }, 'response compression', '1024 bytes'],
    ['cache', { cache: { size: ApiCacheSize.GB_1_6 } }, 'response caching', '{"size":"1.6"}'],
    [
      'executionLogging',
      { executionLogging: { level: MethodLoggingLevel.INFO } },
      'execution logging',
      '{"level":"INFO"}',
    ],
    [
      'setAccountCloudWatchRole',
      { setAccountCloudWatchRole: true },
      "logs written through the account's CloudWatch role",
      'true',
    ],
  ];

  describe.each([
    ['the default kind of API', {}],
    ['apiType: ApiType.HTTP', { apiType: ApiType.HTTP }],
  ])('on an HTTP API (%s)', (_, type: Partial<ServerlessApiProps>) => {
    test.each(PROPS)('`%s` is rejected', (prop, props, feature, shown) => {
      expectError({ ...type, ...props }, restOnly(prop, feature, shown));
    });
  });

  test.each(PROPS)('`%s` is accepted on a REST API', (_, props) => {
    expectAccepted({ ...REST, ...props });
  });
});

describe('REST-only route options', () => {
  const OPTIONS: [string, Partial<RouteOptions>, string, string][] = [
    [
      'requestModel',
      { requestModel: { type: JsonSchemaType.OBJECT, required: ['title'] } },
      'request body validation',
      '{"type":"object","required":["title"]}',
    ],
    [
      'requiredParameters',
      { requiredParameters: { querystrings: ['limit'] } },
      'request parameter validation',
      '{"querystrings":["limit"]}',
    ],
    ['apiKeyRequired', { apiKeyRequired: true }, 'API keys', 'true'],
    ['cache', { cache: { ttl: Duration.minutes(5) } }, 'response caching', '{"ttl":"5 minutes"}'],
  ];

  describe.each([
    ['the default kind of API', {}],
    ['apiType: ApiType.HTTP', { apiType: ApiType.HTTP }],
  ])('on an HTTP API (%s)', (_, type: Partial<ServerlessApiProps>) => {
    test.each(OPTIONS)('`%s` is rejected', (option, options, feature, shown) => {
      expectError(withRoute(type, options), restOnly(`${ROUTE}.${option}`, feature, shown));
    });
  });

  test.each(OPTIONS)(
    '`%s` is rejected in addFunction(), and nothing is built for the function',
    (option, options, feature, shown) => {
      // GIVEN an HTTP API
      const api = new ServerlessApi(newStack(), 'Api', defaultProps());

      // WHEN / THEN
      expect(() => api.addFunction('extra', fn([route(HttpMethod.GET, '/extra', options)]))).toThrow(
        new Error(restOnly(`functions.extra.routes[0].${option}`, feature, shown)),
      );
      expect(api.functions.map((f) => f.name)).toEqual(['items']);
    },
  );

  test('every option is accepted on a REST API with usage plans and a cache', () => {
    expectAccepted({
      ...REST,
      usagePlans: { free: {} },
      cache: {},
      functions: {
        items: fn([
          route(HttpMethod.POST, '/items', {
            requestModel: { type: JsonSchemaType.OBJECT, required: ['title'] },
            requiredParameters: { querystrings: ['dryRun'], headers: ['Idempotency-Key'] },
            apiKeyRequired: true,
          }),
          route(HttpMethod.GET, '/items', {
            authorization: ApiAuthorization.none(),
            apiKeyRequired: false,
            cache: { ttl: Duration.minutes(5), keyParameters: ['querystring.limit', 'header.Accept-Language'] },
          }),
        ]),
      },
    });
  });
});

describe('authorizations one kind of API lacks', () => {
  const JWT_ON_REST =
    'must not be ApiAuthorization.jwt() on a REST API: REST APIs have no JWT authorizer, only HTTP APIs do: use ApiAuthorization.cognito() for a Cognito issuer or ApiAuthorization.lambdaToken() for another, or `apiType: ApiType.HTTP`, got: "ApiType.REST"';
  const TOKEN_ON_HTTP =
    'must not be ApiAuthorization.lambdaToken() on an HTTP API: HTTP APIs have Lambda request authorizers only: use ApiAuthorization.lambdaRequest() with `identitySource: ["$request.header.Authorization"]`, or `apiType: ApiType.REST`, got: "ApiType.HTTP"';
  const lambdaToken = () => ApiAuthorization.lambdaToken({ entry: HANDLER_ENTRY });

  test('API-wide ApiAuthorization.jwt() on a REST API is rejected', () => {
    expectError({ apiType: ApiType.REST, authorization: jwt() }, `\`authorization\` ${JWT_ON_REST}`);
  });

  test("a route's ApiAuthorization.jwt() on a REST API is rejected", () => {
    expectError(withRoute(REST, { authorization: jwt() }), `\`${ROUTE}.authorization\` ${JWT_ON_REST}`);
  });

  test.each([
    ['the default kind of API', {}],
    ['apiType: ApiType.HTTP', { apiType: ApiType.HTTP }],
  ])(
    'API-wide ApiAuthorization.lambdaToken() on an HTTP API (%s) is rejected',
    (_, type: Partial<ServerlessApiProps>) => {
      expectError({ ...type, authorization: lambdaToken() }, `\`authorization\` ${TOKEN_ON_HTTP}`);
    },
  );

  test("a route's ApiAuthorization.lambdaToken() on an HTTP API is rejected", () => {
    expectError(withRoute({}, { authorization: lambdaToken() }), `\`${ROUTE}.authorization\` ${TOKEN_ON_HTTP}`);
  });

  test('ApiAuthorization.lambdaToken() is accepted on a REST API, API-wide and on a route', () => {
    expectAccepted({ apiType: ApiType.REST, authorization: lambdaToken() });
    expectAccepted(withRoute(REST, { authorization: lambdaToken() }));
  });
});

describe('usage plans', () => {
  const withPlans = (usagePlans: ServerlessApiProps['usagePlans']) => ({ ...REST, usagePlans });

  test.each([
    ['a space', 'free plan'],
    ['65 characters', 'p'.repeat(65)],
    ['no character', ''],
  ])('a plan name with %s is rejected', (_, name) => {
    expectError(
      withPlans({ [name]: {} }),
      `\`usagePlans\` must have names of 1 to 64 letters, digits, "-" and "_", got: ${JSON.stringify(name)}`,
    );
  });

  test('an API key in two plans is rejected', () => {
    expectError(
      withPlans({ free: { apiKeys: ['partner'] }, pro: { apiKeys: ['partner'] } }),
      '`usagePlans` must give each API key one plan: API Gateway lets a key use one plan per stage, got: "partner"',
    );
  });

  test('an API key listed twice in one plan is rejected as a duplicate', () => {
    expectError(
      withPlans({ free: { apiKeys: ['partner', 'partner'] } }),
      '`usagePlans.free.apiKeys[1]` duplicates `usagePlans.free.apiKeys[0]`: "partner" is declared twice',
    );
  });

  test.each([
    [0, '0'],
    [-1, '-1'],
    [NaN, 'NaN'],
  ])('a plan rateLimit of %s is rejected', (rateLimit, shown) => {
    expectError(
      withPlans({ free: { throttle: { rateLimit } } }),
      `\`usagePlans.free.throttle.rateLimit\` must be a positive number, got: ${shown}`,
    );
  });

  test.each([0, 5001, 2.5])('a plan burstLimit of %s is rejected, as on the stage and the routes', (burstLimit) => {
    expectError(
      withPlans({ free: { throttle: { burstLimit } } }),
      `\`usagePlans.free.throttle.burstLimit\` must be a whole number between 1 and 5000, got: ${burstLimit}`,
    );
  });

  test.each([0, -1, 1.5, 2 ** 31])('a quota limit of %s is rejected (API Gateway stores a 32-bit integer)', (limit) => {
    expectError(
      withPlans({ free: { quota: { limit } } }),
      `\`usagePlans.free.quota.limit\` must be a whole number between 1 and 2147483647, got: ${limit}`,
    );
  });

  test('a quota period that is not an apigateway.Period is rejected', () => {
    expectError(
      withPlans({ free: { quota: { limit: 1000, period: 'YEAR' as Period } } }),
      '`usagePlans.free.quota.period` must be an apigateway.Period (DAY, WEEK, MONTH), got: "YEAR"',
    );
  });

  test.each([
    ['a space', 'partner key'],
    ['65 characters', 'k'.repeat(65)],
  ])('an API key name with %s is rejected', (_, key) => {
    expectError(
      withPlans({ free: { apiKeys: ['partner', key] } }),
      `\`usagePlans.free.apiKeys[1]\` must be 1 to 64 letters, digits, "-" and "_", got: ${JSON.stringify(key)}`,
    );
  });

  test('plans at the limits are accepted, and tokens are not checked', () => {
    expectAccepted(
      withPlans({
        ['p'.repeat(64)]: {
          throttle: { rateLimit: 0.5, burstLimit: 5000 },
          quota: { limit: 2147483647, period: Period.MONTH },
          apiKeys: ['k'.repeat(64), 'partner_1-a'],
        },
        tokens: {
          throttle: {
            rateLimit: Token.asNumber(Fn.importValue('Rate')),
            burstLimit: Token.asNumber(Fn.importValue('Burst')),
          },
          quota: { limit: Token.asNumber(Fn.importValue('Quota')) },
        },
      }),
    );
  });
});

describe('web ACL, compression, cache and execution logging', () => {
  test.each([
    ['not an ARN', 'api-acl'],
    ['a WAF Classic ARN', 'arn:aws:waf-regional:eu-west-1:123456789012:webacl/a1b2c3d4-5678-90ab-cdef-111111111111'],
    ['an ARN of a web ACL rule group', 'arn:aws:wafv2:eu-west-1:123456789012:regional/rulegroup/rules/a1b2c3d4-5678'],
  ])('a webAclArn that is %s is rejected', (_, webAclArn) => {
    expectError(
      { ...REST, webAclArn },
      `\`webAclArn\` must be the ARN of an AWS WAF (wafv2) web ACL, arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>, got: ${JSON.stringify(webAclArn)}`,
    );
  });

  test('a global (CLOUDFRONT-scope) web ACL is rejected', () => {
    const webAclArn =
      'arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge-acl/a1b2c3d4-5678-90ab-cdef-111111111111';
    expectError(
      { ...REST, webAclArn },
      `\`webAclArn\` must be a REGIONAL web ACL: a CLOUDFRONT-scope (global) web ACL cannot be associated with an API stage, got: ${JSON.stringify(webAclArn)}`,
    );
  });

  test('a token webAclArn is not checked', () => {
    expectAccepted({ ...REST, webAclArn: Fn.importValue('WebAclArn') });
  });

  test('a minCompressionSize above 10 MiB is rejected, in bytes', () => {
    expectError(
      { ...REST, minCompressionSize: Size.bytes(10485761) },
      '`minCompressionSize` must be at most 10 MiB (10485760 bytes), got: 10485761 bytes',
    );
  });

  test.each([
    ['0 bytes', Size.bytes(0)],
    ['10 MiB', Size.mebibytes(10)],
  ])('a minCompressionSize of %s is accepted', (_, minCompressionSize) => {
    expectAccepted({ ...REST, minCompressionSize });
  });

  test('a cache size that is not an ApiCacheSize is rejected', () => {
    expectError(
      { ...REST, cache: { size: '2' as ApiCacheSize } },
      '`cache.size` must be an ApiCacheSize (0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237 GB), got: "2"',
    );
  });

  test('execution logging at level OFF is rejected: leaving it out turns it off', () => {
    expectError(
      { ...REST, executionLogging: { level: MethodLoggingLevel.OFF } },
      '`executionLogging.level` must be ERROR or INFO: leave `executionLogging` out to turn execution logging off, got: "OFF"',
    );
  });

  test('an execution logging level that is not a MethodLoggingLevel is rejected', () => {
    expectError(
      { ...REST, executionLogging: { level: 'DEBUG' as MethodLoggingLevel } },
      '`executionLogging.level` must be apigateway.MethodLoggingLevel.ERROR or INFO, got: "DEBUG"',
    );
  });
});

describe('REST route options', () => {
  test('apiKeyRequired without usage plans is rejected', () => {
    expectError(
      withRoute(REST, { apiKeyRequired: true }),
      `\`${ROUTE}.apiKeyRequired\` must come with \`usagePlans\`: API Gateway accepts only the keys of a usage plan of the stage, so no request could pass, got: true`,
    );
  });

  test.each([
    ['a string', 'schema', '"schema"'],
    ['an array', [{ type: 'object' }], '[{"type":"object"}]'],
    ['null', null, 'null'],
  ])('a requestModel that is %s is rejected', (_, requestModel, shown) => {
    expectError(
      withRoute(REST, { requestModel: requestModel as any }, HttpMethod.POST),
      `\`${ROUTE}.requestModel\` must be a JSON schema object, such as { type: JsonSchemaType.OBJECT, required: ["title"] }, got: ${shown}`,
    );
  });

  test.each([HttpMethod.GET, HttpMethod.HEAD])('a requestModel on a %s route is rejected', (method) => {
    expectError(
      withRoute(REST, { requestModel: { type: JsonSchemaType.OBJECT } }, method),
      `\`${ROUTE}.requestModel\` must be left out on a ${method} route: such requests carry no body, got: "${method}"`,
    );
  });

  test.each([
    ['no list', {}, '{}'],
    ['two empty lists', { querystrings: [], headers: [] }, '{"querystrings":[],"headers":[]}'],
  ])('requiredParameters with %s is rejected', (_, requiredParameters, shown) => {
    expectError(
      withRoute(REST, { requiredParameters }),
      `\`${ROUTE}.requiredParameters\` must list at least one query string or header, or be left out, got: ${shown}`,
    );
  });

  test('a required query string that is not a parameter name is rejected', () => {
    expectError(
      withRoute(REST, { requiredParameters: { querystrings: ['limit', 'page size'] } }),
      `\`${ROUTE}.requiredParameters.querystrings[1]\` must be a query string parameter name, got: "page size"`,
    );
  });

  test('a required header that is not a header name is rejected', () => {
    expectError(
      withRoute(REST, { requiredParameters: { headers: ['X Tenant'] } }),
      `\`${ROUTE}.requiredParameters.headers[0]\` must be a header name, got: "X Tenant"`,
    );
  });

  test('an OPTIONS route on a REST API with cors is rejected: API Gateway answers preflights', () => {
    expectError(
      withRoute({ ...REST, cors: { allowOrigins: ['https://app.example.com'] } }, {}, HttpMethod.OPTIONS),
      `\`${ROUTE}.method\` must not be OPTIONS on a REST API with \`cors\`: API Gateway answers preflight requests itself, got: "OPTIONS"`,
    );
  });

  test('an OPTIONS route on a REST API without cors is accepted', () => {
    expectAccepted(withRoute(REST, {}, HttpMethod.OPTIONS));
  });
});

describe('route caching', () => {
  const CACHED: Partial<ServerlessApiProps> = { ...REST, cache: {} };
  /** A public cached route on a REST API with a cache, with `cache` on top. */
  const cached = (
    cache: Partial<RouteOptions['cache']>,
    method: HttpMethod = HttpMethod.GET,
    base: Partial<ServerlessApiProps> = CACHED,
  ) =>
    withRoute(base, { authorization: ApiAuthorization.none(), cache: { ttl: Duration.minutes(1), ...cache } }, method);

  test('a route cache without the API-wide cache is rejected', () => {
    expectError(
      cached({}, HttpMethod.GET, REST),
      `\`${ROUTE}.cache\` must come with the API-wide \`cache\`, which creates the cache it uses, got: {"ttl":"1 minute"}`,
    );
  });

  test.each([HttpMethod.POST, HttpMethod.ANY, HttpMethod.HEAD])(
    'a cache on a route of method %s is rejected',
    (method) => {
      expectError(
        cached({}, method),
        `\`${ROUTE}.cache\` must be set on GET routes only: a cached write would not reach the function, got: "${method}"`,
      );
    },
  );

  test('a cache on a route authorized by ApiAuthorization.iam() is rejected', () => {
    expectError(
      withRoute(CACHED, { cache: { ttl: Duration.minutes(1) } }),
      `\`${ROUTE}.cache\` must be left out on a route authorized by ApiAuthorization.iam(): a SigV4 signature changes with every request, so it cannot key the cache per caller, got: {"ttl":"1 minute"}`,
    );
  });

  test.each([
    ['no header or query string', []],
    ['only a context variable', ['$context.identity.sourceIp']],
  ])(
    'a cache on a route whose Lambda request authorizer reads %s is rejected: nothing would key the cache per caller',
    (_, identitySource) => {
      const authorization = ApiAuthorization.lambdaRequest({
        entry: HANDLER_ENTRY,
        identitySource,
        resultsCacheTtl: Duration.seconds(0),
      });
      expectError(
        withRoute(CACHED, { authorization, cache: { ttl: Duration.minutes(1) } }),
        `\`${ROUTE}.cache\` must be left out on a route whose Lambda request authorizer reads no header or query string (\`identitySource\`): nothing would key the cache per caller, got: {"ttl":"1 minute"}`,
      );
    },
  );

  test.each([
    [Duration.seconds(0), '0 seconds'],
    [Duration.millis(1500), '1 second 500 millis'],
    [Duration.seconds(3601), '1 hour 1 second'],
  ])('a cache ttl of %s is rejected', (ttl, shown) => {
    expectError(
      cached({ ttl }),
      `\`${ROUTE}.cache.ttl\` must be a whole number of seconds from 1 second to 1 hour, got: ${shown}`,
    );
  });

  test.each(['path.itemId', 'limit', 'method.request.querystring.limit', 'header.'])(
    'a cache key parameter %j is rejected',
    (key) => {
      expectError(
        cached({ keyParameters: ['querystring.limit', key] }),
        `\`${ROUTE}.cache.keyParameters[1]\` must be "querystring.<name>" or "header.<name>" (path parameters are always in the key), got: ${JSON.stringify(key)}`,
      );
    },
  );

  test.each([Duration.seconds(1), Duration.hours(1)])('a cache ttl of %s is accepted', (ttl) => {
    expectAccepted(cached({ ttl }));
  });

  test('a cache on a route authorized by a Lambda token authorizer is accepted: the token keys it', () => {
    expectAccepted(
      withRoute(CACHED, {
        authorization: ApiAuthorization.lambdaToken({ entry: HANDLER_ENTRY }),
        cache: { ttl: Duration.minutes(1) },
      }),
    );
  });
});

describe.each([
  [ApiType.HTTP, {}],
  [ApiType.REST, REST],
])('CORS on an API of type %s', (_, base: Partial<ServerlessApiProps>) => {
  const withCors = (cors: Partial<CorsOptions>) => ({
    ...base,
    cors: { allowOrigins: ['https://app.example.com'], ...cors },
  });
  const ORIGIN_RULE =
    'must be "*" or an origin: scheme, host and optional port, with no path or trailing "/" (e.g. "https://app.example.com")';

  test('no origin is rejected', () => {
    expectError(
      withCors({ allowOrigins: [] }),
      '`cors.allowOrigins` must list at least one origin, such as "https://app.example.com", or "*", got: []',
    );
  });

  test.each([
    ['a path', 'https://app.example.com/app'],
    ['a trailing slash', 'https://app.example.com/'],
    ['no scheme', 'app.example.com'],
  ])('an origin with %s is rejected', (__, origin) => {
    expectError(
      withCors({ allowOrigins: ['http://localhost:3000', origin] }),
      `\`cors.allowOrigins[1]\` ${ORIGIN_RULE}, got: ${JSON.stringify(origin)}`,
    );
  });

  test('"*" among origins is rejected', () => {
    expectError(
      withCors({ allowOrigins: ['*', 'https://app.example.com'] }),
      '`cors.allowOrigins` must be either ["*"] or a list of origins, not both, got: ["*","https://app.example.com"]',
    );
  });

  test('"*" with allowCredentials is rejected', () => {
    expectError(
      withCors({ allowOrigins: ['*'], allowCredentials: true }),
      '`cors.allowOrigins` must list the origins explicitly when `allowCredentials` is true: browsers refuse credentials with "*", got: ["*"]',
    );
  });

  test.each(['allowHeaders', 'exposeHeaders'])(
    '`cors.%s` with an entry that is not a header name is rejected',
    (name) => {
      expectError(
        withCors({ [name]: ['X-Request-Id', 'X Trace'] }),
        `\`cors.${name}[1]\` must be a header name such as "Content-Type", got: "X Trace"`,
      );
    },
  );

  test.each([HttpMethod.ANY, HttpMethod.OPTIONS])('%s in allowMethods is rejected', (method) => {
    expectError(
      withCors({ allowMethods: [HttpMethod.GET, method] }),
      `\`cors.allowMethods[1]\` must be one of DELETE, GET, HEAD, PATCH, POST, PUT (preflight OPTIONS requests are answered by API Gateway), got: "${method}"`,
    );
  });

  test('no method is rejected', () => {
    expectError(
      withCors({ allowMethods: [] }),
      '`cors.allowMethods` must list at least one method, or be left out, got: []',
    );
  });

  test.each([
    [Duration.days(2), '2 days'],
    [Duration.seconds(86401), '1 day 1 second'],
    [Duration.millis(1500), '1 second 500 millis'],
  ])('a maxAge of %s is rejected', (maxAge, shown) => {
    expectError(
      withCors({ maxAge }),
      `\`cors.maxAge\` must be a whole number of seconds from 0 to 1 day, got: ${shown}`,
    );
  });

  test('a valid configuration is accepted, and tokens are not checked', () => {
    expectAccepted(
      withCors({
        allowOrigins: ['https://app.example.com', 'http://localhost:3000', Fn.importValue('Origin')],
        allowHeaders: ['Content-Type', 'X-Api-Key', '*'],
        exposeHeaders: ['X-Request-Id'],
        allowMethods: [HttpMethod.GET, HttpMethod.POST],
        allowCredentials: true,
        maxAge: Duration.days(1),
      }),
    );
    expectAccepted(withCors({ allowOrigins: ['*'], maxAge: Duration.seconds(0) }));
  });
});
