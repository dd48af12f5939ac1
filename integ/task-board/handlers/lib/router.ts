import type { HttpApiEvent } from './request';
import { HttpError, json, type HttpResult } from './response';

/** Handles one route of an HTTP API, keyed by its route key such as `GET /projects/{projectId}/tasks`. */
export type Route<E extends HttpApiEvent> = (event: E) => Promise<HttpResult>;

/**
 * Runs the route matching `event.routeKey` and turns failures into responses: an `HttpError` becomes
 * its status with `{ message }`; anything else is logged with the request id and answered with a
 * generic 500, because internal error messages can reveal table names and key design.
 */
export async function dispatch<E extends HttpApiEvent>(
  event: E,
  routes: Readonly<Record<string, Route<E>>>,
): Promise<HttpResult> {
  const route = Object.hasOwn(routes, event.routeKey) ? routes[event.routeKey] : undefined;
  if (route === undefined) {
    return json(404, { message: `no route matches "${event.routeKey}"` });
  }
  try {
    return await route(event);
  } catch (error) {
    if (error instanceof HttpError) {
      return json(error.statusCode, { message: error.message });
    }
    console.error(`request ${event.requestContext.requestId} failed on route "${event.routeKey}"`, error);
    return json(500, { message: 'internal server error' });
  }
}
