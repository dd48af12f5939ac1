/**
 * Token claims as each API type hands them to the integration: every value a string, but not the same strings.
 */
import type { JwtClaims } from './jwt-verify';

/**
 * HTTP API (`requestContext.authorizer.jwt.claims`): numbers and booleans as text (`"exp": "1718722804"`), arrays in
 * brackets, space-separated (`"[admin poweruser]"`), objects as JSON text, null claims left out; keys sorted, as
 * AWS's events show them. Evidence (captures of real events): aws-powertools/powertools-lambda-typescript
 * `packages/parser/tests/events/apigw-http/jwt-authorizer-auth.json`; floci-io/floci `JwtClaimsWireFormatTest`
 * (measured against a Cognito-backed HTTP API); the documented shape:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
export function httpApiClaims(claims: JwtClaims): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  for (const name of Object.keys(claims).sort()) {
    const value = claims[name];
    if (value === null || value === undefined) continue;
    out[name] = Array.isArray(value) ? `[${value.map(scalarText).join(' ')}]` : scalarText(value);
  }
  return out;
}

/**
 * REST API Cognito authorizer (`requestContext.authorizer.claims`): `exp` and `iat` as Java's `Date.toString()` in UTC
 * (`"Tue Jun 18 15:00:04 UTC 2024"`), other numbers and booleans as text, lists comma-joined (`cognito:groups`
 * `"admin,users"`), in the token's order. Evidence: aws-powertools/powertools-lambda-typescript
 * `packages/parser/tests/events/apigw-rest/jwt-authorizer-auth.json` (a capture), amazon-cognito-identity-js#92,
 * aws/chalice#783; https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-integrate-with-cognito.html
 */
export function restCognitoClaims(claims: JwtClaims): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  for (const [name, value] of Object.entries(claims)) {
    if (value === null || value === undefined) continue;
    if ((name === 'exp' || name === 'iat') && typeof value === 'number') out[name] = javaDateString(value);
    else if (Array.isArray(value)) out[name] = value.map(scalarText).join(',');
    else out[name] = scalarText(value);
  }
  return out;
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `EEE MMM dd HH:mm:ss zzz yyyy` in UTC, as `java.util.Date#toString` prints it. */
export function javaDateString(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  if (Number.isNaN(date.getTime())) return String(epochSeconds);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${two(date.getUTCDate())} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
  );
}
