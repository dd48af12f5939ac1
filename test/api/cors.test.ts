import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { ServerlessApi } from '../../src';
import { buildApi, BuiltApi, fn, logicalId, ref, resources, route } from '../helpers/api';
import { buildRest, functionId, method, methods, restApiId } from '../helpers/rest-api';

const APP = 'https://app.example.com';

const CORS_ENV = 'SERVERLESS_API_CORS';

function environmentOf(template: Template, functionLogicalId: string): { [name: string]: string } {
  return resources(template)[functionLogicalId].Properties.Environment.Variables;
}

describe('CORS on a REST API with one origin', () => {
  let built: BuiltApi;
  const preflightHeaders = {
    'method.response.header.Access-Control-Allow-Headers': "'Content-Type,Authorization,X-Api-Key,Idempotency-Key'",
    'method.response.header.Access-Control-Allow-Origin': `'${APP}'`,
    'method.response.header.Vary': "'Origin'",
    'method.response.header.Access-Control-Allow-Methods': "'GET,POST,PUT,PATCH,DELETE,HEAD'",
    'method.response.header.Access-Control-Max-Age': "'600'",
  };
  beforeAll(() => {
    // GIVEN one allowed origin, the defaults otherwise, and usage plans (preflights carry no API key)
    built = buildRest({
      cors: { allowOrigins: [APP] },
      usagePlans: { basic: {} },
      functions: { items: fn([route(HttpMethod.GET, '/items/{itemId}'), route(HttpMethod.POST, '/items')]) },
    });
  });

  test('answers preflights with an OPTIONS method on every resource, root included', () => {
    const options = Object.keys(methods(built.template))
      .filter((key) => key.startsWith('OPTIONS '))
      .sort();
    expect(options).toEqual(['OPTIONS /', 'OPTIONS /items', 'OPTIONS /items/{itemId}']);
  });

  test('answers them 204 with the CORS headers, from a public mock integration needing no API key', () => {
    const preflight = method(built.template, 'OPTIONS /items/{itemId}');
    expect([preflight.AuthorizationType, preflight.ApiKeyRequired, preflight.Integration.Type]).toEqual([
      'NONE',
      false,
      'MOCK',
    ]);
    expect(preflight.Integration.IntegrationResponses).toEqual([
      { StatusCode: '204', ResponseParameters: preflightHeaders },
    ]);
    expect(preflight.MethodResponses).toEqual([
      {
        StatusCode: '204',
        ResponseParameters: Object.fromEntries(Object.keys(preflightHeaders).map((header) => [header, true])),
      },
    ]);
  });

  test("adds the origin and Vary to API Gateway's own 4xx and 5xx responses", () => {
    const responses = Object.values(built.template.findResources('AWS::ApiGateway::GatewayResponse')).map(
      (r) => r.Properties,
    );
    expect(responses).toEqual(
      ['DEFAULT_4XX', 'DEFAULT_5XX'].map((type) => ({
        RestApiId: ref(restApiId(built.template)),
        ResponseType: type,
        ResponseParameters: {
          'gatewayresponse.header.Access-Control-Allow-Origin': `'${APP}'`,
          'gatewayresponse.header.Vary': "'Origin'",
        },
      })),
    );
  });

  test('gives the route functions the CORS settings in SERVERLESS_API_CORS, as JSON', () => {
    const variables = environmentOf(built.template, functionId(built.template, 'items'));
    expect(JSON.parse(variables[CORS_ENV])).toEqual({
      allowOrigins: [APP],
      allowCredentials: false,
      exposeHeaders: [],
    });
    expect(ServerlessApi.TABLE_NAME_ENV in variables).toBe(true);
  });
});

describe('CORS options on a REST API', () => {
  /** The response parameters of the API's gateway responses, which must be the same for 4xx and 5xx. */
  function gatewayResponseHeaders(template: Template): { [name: string]: string } {
    const found = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'));
    expect(found.map((r) => r.Properties.ResponseType).sort()).toEqual(['DEFAULT_4XX', 'DEFAULT_5XX']);
    expect(found[0].Properties.ResponseParameters).toEqual(found[1].Properties.ResponseParameters);
    return found[0].Properties.ResponseParameters;
  }

  test('GIVEN any origin THEN error responses allow "*", without Vary', () => {
    const { template } = buildRest({ cors: { allowOrigins: ['*'] } });
    expect(gatewayResponseHeaders(template)).toEqual({ 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" });
  });

  test("GIVEN several origins THEN error responses echo the request's Origin, with Vary", () => {
    const { template } = buildRest({ cors: { allowOrigins: [APP, 'https://admin.example.com'] } });
    expect(gatewayResponseHeaders(template)).toEqual({
      'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
      'gatewayresponse.header.Vary': "'Origin'",
    });
  });

  test('GIVEN credentials and exposed headers THEN error responses and preflights carry them, and so does the variable', () => {
    // GIVEN / WHEN
    const { template } = buildRest({
      cors: {
        allowOrigins: [APP],
        allowCredentials: true,
        exposeHeaders: ['X-Request-Id', 'ETag'],
        allowHeaders: ['Content-Type'],
        allowMethods: [HttpMethod.GET, HttpMethod.POST],
        maxAge: Duration.minutes(1),
      },
    });

    // THEN
    expect(gatewayResponseHeaders(template)).toEqual({
      'gatewayresponse.header.Access-Control-Allow-Origin': `'${APP}'`,
      'gatewayresponse.header.Vary': "'Origin'",
      'gatewayresponse.header.Access-Control-Allow-Credentials': "'true'",
      'gatewayresponse.header.Access-Control-Expose-Headers': "'X-Request-Id,ETag'",
    });
    expect(method(template, 'OPTIONS /items/{itemId}').Integration.IntegrationResponses[0].ResponseParameters).toEqual({
      'method.response.header.Access-Control-Allow-Headers': "'Content-Type'",
      'method.response.header.Access-Control-Allow-Origin': `'${APP}'`,
      'method.response.header.Vary': "'Origin'",
      'method.response.header.Access-Control-Allow-Methods': "'GET,POST'",
      'method.response.header.Access-Control-Allow-Credentials': "'true'",
      'method.response.header.Access-Control-Max-Age': "'60'",
      'method.response.header.Access-Control-Expose-Headers': "'X-Request-Id,ETag'",
    });
    expect(JSON.parse(environmentOf(template, functionId(template, 'items'))[CORS_ENV])).toEqual({
      allowOrigins: [APP],
      allowCredentials: true,
      exposeHeaders: ['X-Request-Id', 'ETag'],
    });
  });

  test('GIVEN no cors THEN there is no preflight method, no gateway response and no SERVERLESS_API_CORS', () => {
    const { template } = buildRest();
    expect(Object.keys(methods(template))).toEqual(['GET /items/{itemId}']);
    template.resourceCountIs('AWS::ApiGateway::GatewayResponse', 0);
    expect(environmentOf(template, functionId(template, 'items'))[CORS_ENV]).toBeUndefined();
  });
});

describe('CORS on an HTTP API', () => {
  function corsConfiguration(template: Template): unknown {
    return resources(template)[logicalId(template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi')].Properties
      .CorsConfiguration;
  }

  test('GIVEN one origin THEN API Gateway answers with the default headers, methods and max age', () => {
    // GIVEN / WHEN
    const { template } = buildApi({ cors: { allowOrigins: [APP] } });

    // THEN
    expect(corsConfiguration(template)).toEqual({
      AllowOrigins: [APP],
      AllowHeaders: ['Content-Type', 'Authorization', 'X-Api-Key', 'Idempotency-Key'],
      AllowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'],
      AllowCredentials: false,
      MaxAge: 600,
    });
  });

  test('GIVEN every option THEN API Gateway uses them', () => {
    const { template } = buildApi({
      cors: {
        allowOrigins: [APP, 'https://admin.example.com'],
        allowHeaders: ['Content-Type', 'X-Tenant'],
        allowMethods: [HttpMethod.GET, HttpMethod.DELETE],
        exposeHeaders: ['ETag'],
        allowCredentials: true,
        maxAge: Duration.hours(1),
      },
    });
    expect(corsConfiguration(template)).toEqual({
      AllowOrigins: [APP, 'https://admin.example.com'],
      AllowHeaders: ['Content-Type', 'X-Tenant'],
      AllowMethods: ['GET', 'DELETE'],
      ExposeHeaders: ['ETag'],
      AllowCredentials: true,
      MaxAge: 3600,
    });
  });

  test('does not set SERVERLESS_API_CORS: the HTTP API adds the headers to responses itself', () => {
    const { template } = buildApi({ cors: { allowOrigins: [APP] } });
    const id = logicalId(template, 'AWS::Lambda::Function', 'ApiFunctionsitemsFunction');
    expect(environmentOf(template, id)[CORS_ENV]).toBeUndefined();
    expect(ServerlessApi.TABLE_NAME_ENV in environmentOf(template, id)).toBe(true);
  });

  test('GIVEN no cors THEN the HTTP API has no CORS configuration', () => {
    const { template } = buildApi();
    expect(corsConfiguration(template)).toBeUndefined();
  });
});
