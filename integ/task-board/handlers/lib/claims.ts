import type { HttpApiEvent } from './request';
import { HttpError } from './response';

/**
 * The `sub` claim of the caller's JWT, as verified by the HTTP API's JWT authorizer.
 * Undefined on a route without an authorizer: the Lambda function never sees the raw token.
 */
export function callerSub(event: HttpApiEvent): string | undefined {
  const authorizer = 'authorizer' in event.requestContext ? event.requestContext.authorizer : undefined;
  const sub = authorizer?.jwt?.claims?.sub;
  return typeof sub === 'string' && sub !== '' ? sub : undefined;
}

/** The caller's `sub` claim, or a 401 for a route that needs to know who is calling. */
export function requireCallerSub(event: HttpApiEvent): string {
  const sub = callerSub(event);
  if (sub === undefined) {
    throw new HttpError(401, 'the request carries no `sub` claim: this route needs a signed-in caller');
  }
  return sub;
}
