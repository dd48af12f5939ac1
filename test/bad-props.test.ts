import { Lazy, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ApiAuthorization, ApiFunctionOptions, ApiType, ServerlessApi, ServerlessApiProps } from '../src';
import { AUDIENCE, defaultProps, expectError, fn, HANDLER_ENTRY, ISSUER, newStack, route } from './helpers/api';

/**
 * Props that deploy broken, misbehave or crash synth with a message naming nothing, unless the library refuses them:
 * each is refused at synth with `` `prop` must ..., got: value ``, in the props and through `addFunction()` alike.
 */

/** A REST API authorized by Cognito, whose one function `items` serves `GET /items/{itemId}`. */
const REST: Partial<ServerlessApiProps> = { apiType: ApiType.REST, authorization: ApiAuthorization.cognito() };

/** A JWT authorization reading the token from `identitySource`. */
const jwtFrom = (identitySource: string[]) =>
  ApiAuthorization.jwt({ issuer: ISSUER, audience: AUDIENCE, identitySource });

interface BadFunction {
  /** The props the API is built with before the function is added (over `defaultProps()`). */
  readonly base?: Partial<ServerlessApiProps>;
  readonly options: ApiFunctionOptions;
  readonly message: string;
}

interface BadProps {
  readonly props: Partial<ServerlessApiProps>;
  readonly message: string;
  /** The same mistake in a function given to `addFunction('added', ...)`, where a function can carry it. */
  readonly added?: BadFunction;
}

const PATH_VARIABLE_RULE = 'a REST API resource has at most one variable path part below it';
const ENV_NAME_RULE =
  'must have names of at least two letters, digits and underscores, starting with a letter (as Lambda requires)';
const RETENTION_RULE =
  'must be one of the retention periods CloudWatch Logs accepts (logs.RetentionDays), in days: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653';
const JWT_SOURCE_COUNT_RULE =
  'must list exactly one header or query string the token is read from, such as "$request.header.Authorization", or be left out';
const NODE_RULE =
  'must be Node.js 18 or newer: older Lambda runtimes include only the AWS SDK for JavaScript v2, and the handlers need v3';
const CONCURRENCY_RULE =
  'must be left out on a function without `reservedConcurrentExecutions`: it measures concurrency as a share of the reservation';

const CASES: [string, BadProps][] = [
  // API Gateway's CreateResource answers "A sibling ({a}) of this resource already has a variable path part -- only
  // one is allowed" (as reproduced by localstack/localstack's API Gateway provider, `create_resource`); HTTP APIs
  // document no such rule, so they are not checked.
  [
    "a REST route with {b} beside another function's {a}",
    {
      props: {
        ...REST,
        functions: {
          items: fn([route(HttpMethod.GET, '/things/{a}')]),
          other: fn([route(HttpMethod.DELETE, '/things/{b}')]),
        },
      },
      message: `\`functions.other.routes[0].path\` must use {a} after "/things", as \`functions.items.routes[0].path\` does: ${PATH_VARIABLE_RULE}, got: "/things/{b}"`,
      added: {
        base: REST,
        options: fn([route(HttpMethod.DELETE, '/items/{id}')]),
        message: `\`functions.added.routes[0].path\` must use {itemId} after "/items", as \`functions.items.routes[0].path\` does: ${PATH_VARIABLE_RULE}, got: "/items/{id}"`,
      },
    },
  ],
  [
    'a REST route with {proxy+} beside {id}',
    {
      props: {
        ...REST,
        functions: { items: fn([route(HttpMethod.GET, '/things/{id}'), route(HttpMethod.ANY, '/things/{proxy+}')]) },
      },
      message: `\`functions.items.routes[1].path\` must use {id} after "/things", as \`functions.items.routes[0].path\` does: ${PATH_VARIABLE_RULE}, got: "/things/{proxy+}"`,
      added: {
        base: REST,
        options: fn([route(HttpMethod.ANY, '/items/{proxy+}')]),
        message: `\`functions.added.routes[0].path\` must use {itemId} after "/items", as \`functions.items.routes[0].path\` does: ${PATH_VARIABLE_RULE}, got: "/items/{proxy+}"`,
      },
    },
  ],
  [
    'REST routes whose variables differ higher up the path',
    {
      props: {
        ...REST,
        functions: {
          items: fn([route(HttpMethod.GET, '/{tenant}/items'), route(HttpMethod.GET, '/{org}/users')]),
        },
      },
      message: `\`functions.items.routes[1].path\` must use {tenant} after "/", as \`functions.items.routes[0].path\` does: ${PATH_VARIABLE_RULE}, got: "/{org}/users"`,
    },
  ],
  // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html (retentionInDays)
  [
    'a log retention CloudWatch does not offer',
    { props: { logRetention: 4 }, message: `\`logRetention\` ${RETENTION_RULE}, got: 4` },
  ],
  ['a log retention of NaN', { props: { logRetention: NaN }, message: `\`logRetention\` ${RETENTION_RULE}, got: NaN` }],
  // "For JWT, a single entry that specifies where to extract the JSON Web Token (JWT) from inbound requests.
  // Currently only header-based and query parameter-based selections are supported":
  // https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html#apis-apiid-authorizers-prop-createauthorizerinput-identitysource
  [
    'a JWT authorizer reading the token from nowhere',
    {
      props: { authorization: jwtFrom([]) },
      message: `\`authorization.identitySource\` ${JWT_SOURCE_COUNT_RULE}, got: []`,
      added: {
        options: fn([route(HttpMethod.GET, '/other', { authorization: jwtFrom([]) })]),
        message: `\`functions.added.routes[0].authorization.identitySource\` ${JWT_SOURCE_COUNT_RULE}, got: []`,
      },
    },
  ],
  [
    'a JWT authorizer reading two sources',
    {
      props: { authorization: jwtFrom(['$request.header.Authorization', '$request.querystring.token']) },
      message: `\`authorization.identitySource\` ${JWT_SOURCE_COUNT_RULE}, got: ["$request.header.Authorization","$request.querystring.token"]`,
    },
  ],
  [
    'a JWT authorizer reading a context variable',
    {
      props: { authorization: jwtFrom(['$context.identity.sourceIp']) },
      message:
        '`authorization.identitySource[0]` must be a header or a query string ("$request.header.<name>" or "$request.querystring.<name>"): a JWT authorizer reads the token from nowhere else, got: "$context.identity.sourceIp"',
    },
  ],
  [
    'an empty API name',
    {
      props: { apiName: '' },
      message: '`apiName` must not be empty: it names the API, its alarms and its dashboard, got: ""',
    },
  ],
  // Names: "Keys start with a letter and are at least two characters. Keys only contain letters, numbers, and the
  // underscore character"; reserved keys "cannot be set in your function configuration":
  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
  ...['MY-VAR', 'A', '1ST', '_HANDLER', 'my var'].map((name): [string, BadProps] => [
    `an environment variable named ${JSON.stringify(name)}`,
    {
      props: { functions: { items: fn([route(HttpMethod.GET, '/items')], { environment: { [name]: 'x' } }) } },
      message: `\`functions.items.environment\` ${ENV_NAME_RULE}, got: ${JSON.stringify(name)}`,
      added: {
        options: fn([route(HttpMethod.GET, '/other')], { environment: { [name]: 'x' } }),
        message: `\`functions.added.environment\` ${ENV_NAME_RULE}, got: ${JSON.stringify(name)}`,
      },
    },
  ]),
  ...['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_SESSION_TOKEN', 'LAMBDA_TASK_ROOT'].map(
    (name): [string, BadProps] => [
      `the environment variable ${name}, which Lambda reserves`,
      {
        props: { functions: { items: fn([route(HttpMethod.GET, '/items')], { environment: { [name]: 'x' } }) } },
        message: `\`functions.items.environment\` must not set ${name}: Lambda reserves it for the values its runtime sets, got: "${name}"`,
        added: {
          options: fn([route(HttpMethod.GET, '/other')], { environment: { [name]: 'x' } }),
          message: `\`functions.added.environment\` must not set ${name}: Lambda reserves it for the values its runtime sets, got: "${name}"`,
        },
      },
    ],
  ),
  ...[8080, true, undefined].map((value): [string, BadProps] => [
    `an environment value ${String(value)} (not a string)`,
    {
      props: {
        functions: {
          items: fn([route(HttpMethod.GET, '/items')], { environment: { PORT: value as unknown as string } }),
        },
      },
      message: `\`functions.items.environment.PORT\` must be a string, as every Lambda environment value is, got: ${String(value)}`,
      added: {
        options: fn([route(HttpMethod.GET, '/other')], { environment: { PORT: value as unknown as string } }),
        message: `\`functions.added.environment.PORT\` must be a string, as every Lambda environment value is, got: ${String(value)}`,
      },
    },
  ]),
  // Node.js 16 and older Lambda runtimes include the AWS SDK for JavaScript v2 only; v3 from Node.js 18:
  // https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html
  ...[lambda.Runtime.NODEJS_16_X, lambda.Runtime.NODEJS_14_X, lambda.Runtime.NODEJS_10_X, lambda.Runtime.NODEJS].map(
    (runtime): [string, BadProps] => [
      `the runtime ${runtime.name}`,
      {
        props: { functionDefaults: { runtime } },
        message: `\`functionDefaults.runtime\` ${NODE_RULE}, got: "${runtime.name}"`,
        added: {
          options: fn([route(HttpMethod.GET, '/other')], { runtime }),
          message: `\`functions.added.runtime\` ${NODE_RULE}, got: "${runtime.name}"`,
        },
      },
    ],
  ),
  [
    'a concurrency alarm on a function without reserved concurrency',
    {
      props: {
        functions: { items: fn([route(HttpMethod.GET, '/items')], { alarms: { concurrency: { maxPercent: 50 } } }) },
      },
      message: `\`functions.items.alarms.concurrency\` ${CONCURRENCY_RULE}, got: {"maxPercent":50}`,
      added: {
        options: fn([route(HttpMethod.GET, '/other')], { alarms: { concurrency: { enabled: true } } }),
        message: `\`functions.added.alarms.concurrency\` ${CONCURRENCY_RULE}, got: {"enabled":true}`,
      },
    },
  ],
  [
    'a function sending to a queue the API does not declare',
    {
      props: {
        queues: { thumbnails: { worker: { entry: HANDLER_ENTRY } } },
        functions: { items: fn([route(HttpMethod.GET, '/items')], { queues: ['thumbnail'] }) },
      },
      message:
        '`functions.items.queues[0]` must name one of the API\'s `queues` (declared: "thumbnails"), got: "thumbnail"',
      added: {
        options: fn([route(HttpMethod.GET, '/other')], { queues: ['thumbnails'] }),
        message: '`functions.added.queues[0]` must name one of the API\'s `queues` (declared: none), got: "thumbnails"',
      },
    },
  ],
  [
    'a function naming one queue twice',
    {
      props: {
        queues: { thumbnails: { worker: { entry: HANDLER_ENTRY } } },
        functions: { items: fn([route(HttpMethod.GET, '/items')], { queues: ['thumbnails', 'thumbnails'] }) },
      },
      message: '`functions.items.queues[1]` duplicates `functions.items.queues[0]`: "thumbnails" is declared twice',
    },
  ],
  [
    'a function without an entry',
    {
      props: { functions: { items: { routes: [route(HttpMethod.GET, '/items')] } as unknown as ApiFunctionOptions } },
      message:
        '`functions.items.entry` must name an existing file with the handler (.ts, .js, .mjs or .cjs), got: undefined',
      added: {
        options: { routes: [route(HttpMethod.GET, '/other')] } as unknown as ApiFunctionOptions,
        message:
          '`functions.added.entry` must name an existing file with the handler (.ts, .js, .mjs or .cjs), got: undefined',
      },
    },
  ],
];

describe.each(CASES)('%s', (_, { props, message, added }) => {
  test('is refused at synth through the props', () => {
    expectError(props, message);
  });

  if (added) {
    test('is refused through addFunction(), and nothing is built for the function', () => {
      // GIVEN an API that synthesizes
      const stack = newStack();
      const api = new ServerlessApi(stack, 'Api', { ...defaultProps(), ...added.base });

      // WHEN / THEN
      expect(() => api.addFunction('added', added.options)).toThrow(new Error(added.message));
      expect(api.node.findChild('Functions').node.tryFindChild('added')).toBeUndefined();
      expect(api.functions.map((f) => f.name)).toEqual(['items']);
    });
  }
});

describe('what API Gateway and Lambda accept is not refused', () => {
  test('REST routes sharing a variable per level, with statics beside it, and an HTTP API with differing variables', () => {
    // GIVEN a REST API whose variables agree per level, beside static siblings
    const rest = newStack();
    new ServerlessApi(rest, 'Api', {
      ...defaultProps(),
      ...REST,
      functions: {
        items: fn([
          route(HttpMethod.GET, '/items/{itemId}'),
          route(HttpMethod.DELETE, '/items/{itemId}'),
          route(HttpMethod.GET, '/items/{itemId}/parts/{partId}'),
          route(HttpMethod.GET, '/items/special'),
          route(HttpMethod.ANY, '/{proxy+}'),
        ]),
      },
    });
    // and an HTTP API, where API Gateway documents no rule on sibling variables
    const http = newStack();
    new ServerlessApi(http, 'Api', {
      ...defaultProps(),
      functions: {
        items: fn([route(HttpMethod.GET, '/things/{a}'), route(HttpMethod.DELETE, '/things/{b}')]),
      },
    });

    // THEN both synthesize, with the routes as declared
    Template.fromStack(rest).resourceCountIs('AWS::ApiGateway::Method', 5);
    Template.fromStack(http).hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'DELETE /things/{b}' });
  });

  test.each([1, 3, 400, 3653])('a log retention of %d days', (logRetention) => {
    const stack = newStack();
    new ServerlessApi(stack, 'Api', { ...defaultProps(), logRetention });
    Template.fromStack(stack).allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: logRetention });
  });

  test('Node.js 18, a query-string JWT source, a two-character variable and a concurrency alarm on a reserved function', () => {
    // GIVEN
    const stack = newStack();
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      authorization: jwtFrom(['$request.querystring.token']),
      functionDefaults: { runtime: lambda.Runtime.NODEJS_18_X },
      functions: {
        items: fn([route(HttpMethod.GET, '/items')], {
          environment: { AB: 'x', AWS_LAMBDA_EXEC_WRAPPER: '/opt/wrapper' },
          reservedConcurrentExecutions: 5,
          alarms: { concurrency: { maxPercent: 50 } },
        }),
        other: fn([route(HttpMethod.GET, '/other')], { alarms: { concurrency: { enabled: false } } }),
      },
    });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { IdentitySource: ['$request.querystring.token'] });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs18.x',
      Environment: { Variables: Match.objectLike({ AB: 'x', AWS_LAMBDA_EXEC_WRAPPER: '/opt/wrapper' }) },
    });
  });

  test('tokens are not checked as literals', () => {
    // GIVEN values only known at synth time
    const stack = newStack();
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      apiName: Lazy.string({ produce: () => 'late-api' }),
      logRetention: Token.asNumber(Lazy.number({ produce: () => 14 })),
      functions: {
        items: fn([route(HttpMethod.GET, '/items')], {
          environment: { STAGE: Lazy.string({ produce: () => 'prod' }) },
        }),
      },
    });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: 'late-api' });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STAGE: 'prod' }) },
    });
  });
});
