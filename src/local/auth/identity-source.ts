/**
 * Identity sources: where an authorizer finds the caller's credentials in a request. HTTP APIs write
 * `$request.header.X`, `$request.querystring.X`, `$context.X`, `$stageVariables.X`; REST APIs write
 * `method.request.header.X`, `method.request.querystring.X`, `context.X`, `stageVariables.X`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html#http-api-lambda-authorizer.identity-sources
 * https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html
 */
import type { MatchedRequest } from '../contracts';
import type { LocalAppModel } from '../model';

type Source =
  | { readonly kind: 'header' | 'querystring' | 'context' | 'stageVariables'; readonly name: string }
  | { readonly kind: 'unsupported' };

const PATTERNS: readonly [RegExp, 'header' | 'querystring' | 'context' | 'stageVariables'][] = [
  [/^(?:\$request|method\.request)\.header\.(.+)$/, 'header'],
  [/^(?:\$request|method\.request)\.querystring\.(.+)$/, 'querystring'],
  [/^\$?context\.(.+)$/, 'context'],
  [/^\$?stageVariables\.(.+)$/, 'stageVariables'],
];

export function parseIdentitySource(expression: string): Source {
  for (const [pattern, kind] of PATTERNS) {
    const match = pattern.exec(expression.trim());
    if (match) return { kind, name: match[1] };
  }
  return { kind: 'unsupported' };
}

/**
 * The value of one identity source in the request, or undefined when the request lacks it. Header names are
 * case-insensitive, query string names case-sensitive; repeated values are comma-joined on HTTP APIs and the last
 * one is kept on REST APIs, as each puts them in its event.
 */
export function identitySourceValue(
  expression: string,
  app: LocalAppModel,
  matched: MatchedRequest,
): string | undefined {
  const source = parseIdentitySource(expression);
  const joinRepeated = (values: readonly string[] | undefined): string | undefined => {
    if (!values || values.length === 0) return undefined;
    return app.api.type === 'HTTP' ? values.join(',') : values[values.length - 1];
  };
  switch (source.kind) {
    case 'header':
      return joinRepeated(matched.request.headers[source.name.toLowerCase()]);
    case 'querystring':
      return joinRepeated(queryParameters(matched.request.rawQueryString).get(source.name));
    case 'context':
      return contextVariables(app, matched)[source.name];
    case 'stageVariables':
      // The local model has no stage variables: a source naming one is absent, as an undefined stage variable is.
      return undefined;
    default:
      return undefined;
  }
}

/** Decoded query parameters by name, every value in order. */
export function queryParameters(rawQueryString: string): Map<string, string[]> {
  const parameters = new Map<string, string[]>();
  if (!rawQueryString) return parameters;
  for (const pair of rawQueryString.split('&')) {
    if (pair.length === 0) continue;
    const equals = pair.indexOf('=');
    const name = decodeComponent(equals < 0 ? pair : pair.slice(0, equals));
    const value = equals < 0 ? '' : decodeComponent(pair.slice(equals + 1));
    const values = parameters.get(name);
    if (values) values.push(value);
    else parameters.set(name, [value]);
  }
  return parameters;
}

/** A malformed escape (`%zz`) stays as sent rather than failing the request. */
export function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The `$context` variables an identity source may name, as far as the local API knows them. */
function contextVariables(app: LocalAppModel, matched: MatchedRequest): { [name: string]: string | undefined } {
  const { request, route } = matched;
  const http = app.api.type === 'HTTP';
  return {
    accountId: app.accountId,
    apiId: app.api.apiId,
    domainName: request.headers.host?.[0],
    httpMethod: request.method.toUpperCase(),
    'identity.sourceIp': request.sourceIp,
    'identity.userAgent': request.headers['user-agent']?.[0],
    // REST's `$context.path` carries the stage, which depends on how the local server mounts it: HTTP only.
    path: http ? request.rawPath : undefined,
    protocol: 'HTTP/1.1',
    requestId: request.requestId,
    requestTimeEpoch: String(request.timeEpoch),
    resourcePath: http ? undefined : route.path,
    routeKey: http ? route.routeKey : undefined,
    stage: app.api.stageName,
  };
}
