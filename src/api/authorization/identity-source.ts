import { fail, isLiteral } from '../../private/validation';

/** Where JWT, Cognito and Lambda request authorizers read the caller's credentials unless told otherwise. */
export const DEFAULT_IDENTITY_SOURCE = ['$request.header.Authorization'];

const SELECTION_EXPRESSION = /^\$(request\.(header|querystring)|context|stageVariables)\.\S+$/;

/** HTTP API selection expressions, which routes and authorizers take on both kinds, and their REST form. */
const REST_IDENTITY_SOURCE_PREFIXES: [string, string][] = [
  ['$request.header.', 'method.request.header.'],
  ['$request.querystring.', 'method.request.querystring.'],
  ['$context.', 'context.'],
  ['$stageVariables.', 'stageVariables.'],
];

export function validateIdentitySource(prop: string, sources: string[]): void {
  sources.forEach((source, i) => {
    if (isLiteral(source) && !SELECTION_EXPRESSION.test(source)) {
      fail(`${prop}[${i}]`, 'be a selection expression such as "$request.header.Authorization"', source);
    }
  });
}

/** An identity source written as on HTTP APIs (`$request.header.Authorization`) in REST's form. */
export function restIdentitySource(source: string): string {
  for (const [http, rest] of REST_IDENTITY_SOURCE_PREFIXES) {
    if (source.startsWith(http)) return rest + source.slice(http.length);
  }
  return source;
}
