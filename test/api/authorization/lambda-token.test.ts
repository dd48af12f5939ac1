import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ApiAuthorization, ApiType, RouteOptions, ServerlessApiProps } from '../../../src';
import {
  buildApi,
  BuiltApi,
  fn,
  getAtt,
  HANDLER_ENTRY,
  inlineStatements,
  logicalId,
  newStack,
  ref,
  resources,
  route,
  invocationUri,
  invokeRoleId,
  expectError,
} from '../../helpers/api';
import { buildRest, functionId, method, restApiId } from '../../helpers/rest-api';

const AUTHORIZER = 'AWS::ApiGateway::Authorizer';

/** A method's authorization, as [AuthorizationType, AuthorizerId, AuthorizationScopes]. */
function authorizationOf(template: Template, key: string): unknown[] {
  const m = method(template, key);
  return [m.AuthorizationType, m.AuthorizerId, m.AuthorizationScopes];
}

describe('a Lambda token authorizer', () => {
  let built: BuiltApi;
  let authorizerId: string;
  let authorizerFunctionId: string;
  let roleId: string;
  let logGroupId: string;
  beforeAll(() => {
    // GIVEN ApiAuthorization.lambdaToken({ entry }) API-wide
    built = buildRest({
      authorization: ApiAuthorization.lambdaToken({ entry: HANDLER_ENTRY }),
      logRetention: logs.RetentionDays.TWO_WEEKS,
      functions: { items: fn([route(HttpMethod.GET, '/items'), route(HttpMethod.DELETE, '/items/{itemId}')]) },
    });
    authorizerId = logicalId(built.template, AUTHORIZER, 'ApiLambdaTokenAuthorizer');
    authorizerFunctionId = logicalId(built.template, 'AWS::Lambda::Function', 'ApiLambdaTokenAuthorizerFunction');
    roleId = logicalId(built.template, 'AWS::IAM::Role', 'ApiLambdaTokenAuthorizerFunctionRole');
    logGroupId = logicalId(built.template, 'AWS::Logs::LogGroup', 'ApiLambdaTokenAuthorizerFunctionLogs');
  });

  test('is one TOKEN authorizer on the Authorization header, invoked through the invoke role, cached 5 minutes', () => {
    built.template.resourceCountIs(AUTHORIZER, 1);
    expect(resources(built.template)[authorizerId].Properties).toEqual({
      Name: 'lambdatoken',
      RestApiId: ref(restApiId(built.template)),
      Type: 'TOKEN',
      AuthorizerUri: invocationUri(getAtt(authorizerFunctionId)),
      AuthorizerCredentials: getAtt(invokeRoleId(built.template)),
      AuthorizerResultTtlInSeconds: 300,
      IdentitySource: 'method.request.header.Authorization',
    });
  });

  test('authorizes every route as CUSTOM with it', () => {
    expect(authorizationOf(built.template, 'GET /items')).toEqual(['CUSTOM', ref(authorizerId), undefined]);
    expect(authorizationOf(built.template, 'DELETE /items/{itemId}')).toEqual(['CUSTOM', ref(authorizerId), undefined]);
  });

  test('is a bundled function with its own role and log group, which the invoke role may invoke', () => {
    const props = resources(built.template)[authorizerFunctionId].Properties;
    expect(props.Role).toEqual(getAtt(roleId));
    expect(props.LoggingConfig.LogGroup).toEqual(ref(logGroupId));
    expect(resources(built.template)[logGroupId].Properties).toEqual({ RetentionInDays: 14 });
    expect(inlineStatements(built.template, roleId)).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: getAtt(logGroupId) },
      { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
    ]);
    expect(inlineStatements(built.template, invokeRoleId(built.template))).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [getAtt(functionId(built.template, 'items')), getAtt(authorizerFunctionId)],
      },
    ]);
    built.template.resourceCountIs('AWS::Lambda::Permission', 0);
  });

  test('GIVEN a header, a validation regex, a TTL and a name THEN the authorizer uses them', () => {
    const { template } = buildRest({
      authorization: ApiAuthorization.lambdaToken({
        entry: HANDLER_ENTRY,
        header: 'X-Api-Token',
        validationRegex: '^Bearer [-0-9A-Za-z._~+/]+=*$',
        resultsCacheTtl: Duration.seconds(0),
        authorizerName: 'tokens',
      }),
    });
    expect(resources(template)[logicalId(template, AUTHORIZER, 'ApiLambdaTokenAuthorizer')].Properties).toEqual(
      expect.objectContaining({
        Name: 'tokens',
        Type: 'TOKEN',
        IdentitySource: 'method.request.header.X-Api-Token',
        IdentityValidationExpression: '^Bearer [-0-9A-Za-z._~+/]+=*$',
        AuthorizerResultTtlInSeconds: 0,
      }),
    );
  });

  test('validates no token format unless told to', () => {
    expect(resources(built.template)[authorizerId].Properties.IdentityValidationExpression).toBeUndefined();
  });
});

/** A REST API whose API-wide authorization REST APIs have (jwt(), the default of the other tests, is HTTP-only). */
const REST: Partial<ServerlessApiProps> = { apiType: ApiType.REST, authorization: ApiAuthorization.iam() };

const ROUTE = 'functions.items.routes[0]';

/** Props with a single function `items` serving exactly these routes. */
const routes = (...r: RouteOptions[]): Partial<ServerlessApiProps> => ({ functions: { items: fn(r) } });

/** `base` with one route of function `items` on `/items`. */
const withRoute = (
  base: Partial<ServerlessApiProps>,
  options: Partial<RouteOptions>,
  httpMethod: HttpMethod = HttpMethod.GET,
): Partial<ServerlessApiProps> => ({ ...base, ...routes(route(httpMethod, '/items', options)) });

/** Construction and synthesis both succeed. */
const expectAccepted = (props: Partial<ServerlessApiProps>) => expect(() => buildApi(props)).not.toThrow();

describe('Lambda token authorizer settings', () => {
  const withToken = (props: Parameters<typeof ApiAuthorization.lambdaToken>[0]) => ({
    apiType: ApiType.REST,
    authorization: ApiAuthorization.lambdaToken(props),
  });
  const EXACTLY_ONE =
    'must set exactly one of `entry` (a handler file to bundle) and `authorizerFunction` (an existing function)';

  test('neither entry nor authorizerFunction is rejected', () => {
    expectError(withToken({}), `\`authorization\` ${EXACTLY_ONE}, got: "neither"`);
  });

  test('both entry and authorizerFunction are rejected', () => {
    const authorizerFunction = lambda.Function.fromFunctionArn(
      newStack(),
      'Authorizer',
      'arn:aws:lambda:eu-west-1:123456789012:function:authorizer',
    );
    expectError(
      withToken({ entry: HANDLER_ENTRY, authorizerFunction }),
      `\`authorization\` ${EXACTLY_ONE}, got: "both"`,
    );
  });

  test('a header that is not a header name is rejected', () => {
    expectError(
      withToken({ entry: HANDLER_ENTRY, header: 'X Token' }),
      '`authorization.header` must be a header name such as "Authorization", got: "X Token"',
    );
  });

  test("a route's token authorizer is checked too, under the route's prop", () => {
    expectError(
      withRoute(REST, { authorization: ApiAuthorization.lambdaToken({ entry: HANDLER_ENTRY, header: '' }) }),
      `\`${ROUTE}.authorization.header\` must be a header name such as "Authorization", got: ""`,
    );
  });

  test('an invalid validationRegex is rejected', () => {
    expectError(
      withToken({ entry: HANDLER_ENTRY, validationRegex: '^Bearer [' }),
      '`authorization.validationRegex` must be a valid regular expression, such as "^Bearer [-0-9A-Za-z._~+/]+=*$", got: "^Bearer ["',
    );
  });

  test.each([
    [Duration.minutes(61), '1 hour 1 minute'],
    [Duration.millis(1500), '1 second 500 millis'],
  ])('a resultsCacheTtl of %s is rejected', (resultsCacheTtl, shown) => {
    expectError(
      withToken({ entry: HANDLER_ENTRY, resultsCacheTtl }),
      `\`authorization.resultsCacheTtl\` must be a whole number of seconds from 0 (no caching) to 1 hour, got: ${shown}`,
    );
  });

  test('settings at the limits are accepted', () => {
    expectAccepted(
      withToken({
        entry: HANDLER_ENTRY,
        header: 'X-Api-Token',
        validationRegex: '^Bearer [-0-9A-Za-z._~+/]+=*$',
        resultsCacheTtl: Duration.hours(1),
      }),
    );
    expectAccepted(withToken({ entry: HANDLER_ENTRY, resultsCacheTtl: Duration.seconds(0) }));
  });
});
