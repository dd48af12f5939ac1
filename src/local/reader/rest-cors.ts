/**
 * What a REST API answers on its own: the CORS preflight its OPTIONS methods with a MOCK integration answer, and the
 * headers its gateway responses add to API Gateway's own errors.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */

import { numberOf, ReadContext, refersTo } from './context';
import { isObject, JsonObject, list, obj, T } from '../../assembly/template';
import { LocalApiModel, LocalCorsModel } from '../model';

/** A literal response parameter is quoted (`'https://app.example.com'`); anything else is a mapping expression. */
function unquote(value: string): string {
  return value.length >= 2 && value.startsWith("'") && value.endsWith("'") ? value.slice(1, -1) : value;
}

/** Response parameters with a prefix (`method.response.header.`), by header name, as the template resolves them. */
function headersOf(ctx: ReadContext, parameters: unknown, prefix: string, where: string): { [name: string]: string } {
  const headers: { [name: string]: string } = {};
  for (const [key, value] of Object.entries(obj(ctx.resolver.resolve(parameters)))) {
    if (key.startsWith(prefix)) {
      headers[key.slice(prefix.length)] = unquote(ctx.resolver.string(value, `${where} ${key}`));
    }
  }
  return headers;
}

const commaList = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/**
 * The preflight answer of an OPTIONS method with a MOCK integration. With several origins, aws-cdk-lib answers the
 * first one and a response template switches to the request's origin when it is one of the others
 * (`#if($origin == "https://b.example.com")`), so those count as allowed too.
 */
export function preflightCors(ctx: ReadContext, methodId: string, props: JsonObject): LocalCorsModel {
  const where = `OPTIONS method ${methodId}`;
  const response = obj(list(obj(props.Integration).IntegrationResponses).find(isObject));
  const headers = headersOf(ctx, response.ResponseParameters, 'method.response.header.', where);
  const templates = Object.values(obj(ctx.resolver.resolve(response.ResponseTemplates))).join('\n');
  const otherOrigins = [...templates.matchAll(/\$origin == "([^"]+)"/g)].map((match) => match[1]);
  const origin = headers['Access-Control-Allow-Origin'];
  const maxAge = headers['Access-Control-Max-Age'];
  return {
    allowOrigins: [...(origin === undefined ? [] : [origin]), ...otherOrigins],
    allowMethods: commaList(headers['Access-Control-Allow-Methods']),
    allowHeaders: commaList(headers['Access-Control-Allow-Headers']),
    exposeHeaders: commaList(headers['Access-Control-Expose-Headers']),
    allowCredentials: headers['Access-Control-Allow-Credentials'] === 'true',
    maxAgeSeconds: numberOf(ctx, maxAge, `${where} Access-Control-Max-Age`),
  };
}

/** Whether a method is a CORS preflight: OPTIONS answered by API Gateway itself, with no backend. */
export function isPreflight(ctx: ReadContext, props: JsonObject): boolean {
  return (
    ctx.resolver.resolve(props.HttpMethod) === 'OPTIONS' && ctx.resolver.resolve(obj(props.Integration).Type) === 'MOCK'
  );
}

/** The API's gateway responses by response type. */
export function readGatewayResponses(ctx: ReadContext, apiId: string): LocalApiModel['gatewayResponses'] {
  const responses: { [type: string]: { statusCode?: number; headers: { [name: string]: string } } } = {};
  for (const [id, resource] of ctx.index.ofType(T.gatewayResponse)) {
    const props = resource.Properties ?? {};
    if (!refersTo(ctx, props.RestApiId, apiId)) continue;
    const where = `gateway response ${id}`;
    const statusCode = numberOf(ctx, props.StatusCode, `${where} StatusCode`);
    responses[ctx.resolver.string(props.ResponseType, `${where} ResponseType`)] = {
      ...(statusCode === undefined ? {} : { statusCode }),
      headers: headersOf(ctx, props.ResponseParameters, 'gatewayresponse.header.', where),
    };
  }
  return Object.keys(responses).length === 0 ? undefined : responses;
}
