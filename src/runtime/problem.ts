/**
 * Errors a handler throws to answer a client error, rendered as RFC 9457 problem details
 * (`application/problem+json`): `{ type, title, status, detail, instance, ... }`.
 */

/** Reason phrases of the statuses the toolkit answers with. */
const TITLES: { readonly [status: number]: string } = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** One field that failed validation: where it is (`body.title`, `query.limit`) and what is wrong. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** Options of an `HttpError`. */
export interface HttpErrorOptions {
  /** Members added to the problem document, e.g. `{ errors: [...] }` or the current state of a resource. */
  readonly extensions?: { readonly [member: string]: unknown };
  /** Response headers, e.g. `Retry-After`. */
  readonly headers?: { readonly [name: string]: string };
  /** The underlying error, kept for logs only: it never reaches the response. */
  readonly cause?: unknown;
}

/**
 * A failure with an HTTP status. Its `detail` (the message) is shown to the caller, so it must say what is
 * wrong and how to fix it without revealing internals; any error that is not an `HttpError` becomes a
 * generic 500 and is logged with the request id.
 */
export class HttpError extends Error {
  public readonly status: number;
  public readonly title: string;
  public readonly extensions: { readonly [member: string]: unknown };
  public readonly headers: { readonly [name: string]: string };

  constructor(status: number, detail: string, options: HttpErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`HttpError status must be an integer from 400 to 599, got: ${status}`);
    }
    this.name = 'HttpError';
    this.status = status;
    this.title = TITLES[status] ?? (status < 500 ? 'Client Error' : 'Server Error');
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

/** 400: the request is malformed; `errors` lists each field that failed validation. */
export function badRequest(detail: string, errors?: readonly FieldError[]): HttpError {
  return new HttpError(400, detail, errors ? { extensions: { errors } } : {});
}

/** 404: the resource does not exist (or has expired). */
export function notFound(detail: string): HttpError {
  return new HttpError(404, detail);
}

/** 409: the request conflicts with the resource's current state. */
export function conflict(detail: string, extensions?: { readonly [member: string]: unknown }): HttpError {
  return new HttpError(409, detail, { extensions });
}

/** 412: a precondition the client sent (`If-Match`) does not hold. */
export function preconditionFailed(detail: string, extensions?: { readonly [member: string]: unknown }): HttpError {
  return new HttpError(412, detail, { extensions });
}

/**
 * A failure that goes away by waiting: 409 (in progress), 429 or 503, with `Retry-After` in whole seconds (and any
 * other `headers`).
 */
export function retryLater(
  status: 409 | 429 | 503,
  detail: string,
  retryAfterSeconds: number,
  headers: { readonly [name: string]: string } = {},
): HttpError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new HttpError(status, detail, {
    headers: { ...headers, 'retry-after': `${seconds}` },
    extensions: { retryAfterSeconds: seconds },
  });
}

/** The problem document of an error, without the headers. */
export function problemDocument(error: HttpError, requestId: string): { [member: string]: unknown } {
  return {
    ...error.extensions,
    type: 'about:blank',
    title: error.title,
    status: error.status,
    detail: error.message,
    requestId,
  };
}
