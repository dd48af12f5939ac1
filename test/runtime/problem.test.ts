import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import {
  httpErrorOf,
  isConditionalCheckFailed,
  isTransient,
  SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS,
} from '../../src/runtime/dynamodb-errors';
import {
  badRequest,
  conflict,
  HttpError,
  notFound,
  preconditionFailed,
  problemDocument,
  retryLater,
} from '../../src/runtime/problem';

/** An Error with the extra members the AWS SDK and Node put on theirs. */
function errorWith(message: string, members: { [key: string]: unknown }): Error {
  return Object.assign(new Error(message), members);
}

describe('HttpError', () => {
  it.each([
    [400, 'Bad Request'],
    [401, 'Unauthorized'],
    [403, 'Forbidden'],
    [404, 'Not Found'],
    [405, 'Method Not Allowed'],
    [409, 'Conflict'],
    [412, 'Precondition Failed'],
    [413, 'Content Too Large'],
    [415, 'Unsupported Media Type'],
    [422, 'Unprocessable Content'],
    [428, 'Precondition Required'],
    [429, 'Too Many Requests'],
    [500, 'Internal Server Error'],
    [503, 'Service Unavailable'],
    [418, 'Client Error'],
    [451, 'Client Error'],
    [502, 'Server Error'],
    [599, 'Server Error'],
  ])('titles status %d "%s"', (status, title) => {
    const error = new HttpError(status, 'detail');
    expect(error.status).toBe(status);
    expect(error.title).toBe(title);
    expect(error.message).toBe('detail');
    expect(error.name).toBe('HttpError');
    expect(error).toBeInstanceOf(Error);
  });

  it.each([399, 600, 200, 404.5, NaN])('refuses status %s', (status) => {
    expect(() => new HttpError(status, 'x')).toThrow(RangeError);
    expect(() => new HttpError(status, 'x')).toThrow(
      `HttpError status must be an integer from 400 to 599, got: ${status}`,
    );
  });

  it('keeps extensions, headers and the cause', () => {
    const cause = new Error('root');
    const error = new HttpError(401, 'no token', {
      extensions: { hint: 'log in' },
      headers: { 'WWW-Authenticate': 'Bearer' },
      cause,
    });
    expect(error.extensions).toEqual({ hint: 'log in' });
    expect(error.headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
    expect(error.cause).toBe(cause);
    expect(new HttpError(400, 'x').extensions).toEqual({});
    expect(new HttpError(400, 'x').headers).toEqual({});
    expect('cause' in new HttpError(400, 'x')).toBe(false);
  });
});

describe('error helpers', () => {
  it('badRequest carries field errors only when given', () => {
    const errors = [{ field: 'body.title', message: 'required' }];
    expect(badRequest('bad', errors)).toMatchObject({ status: 400, message: 'bad', extensions: { errors } });
    expect(badRequest('bad').extensions).toEqual({});
  });

  it('notFound, conflict and preconditionFailed have their statuses and extensions', () => {
    expect(notFound('gone')).toMatchObject({ status: 404, message: 'gone', extensions: {} });
    expect(conflict('busy', { currentState: { status: 'DONE' } })).toMatchObject({
      status: 409,
      extensions: { currentState: { status: 'DONE' } },
    });
    expect(preconditionFailed('stale', { currentVersion: 3 })).toMatchObject({
      status: 412,
      extensions: { currentVersion: 3 },
    });
  });

  it.each([
    [0, '1'],
    [0.2, '1'],
    [1, '1'],
    [1.01, '2'],
    [44.75, '45'],
    [-3, '1'],
  ])('retryLater(%d s) rounds up to whole seconds, at least one: %s', (seconds, header) => {
    const error = retryLater(429, 'slow down', seconds);
    expect(error.status).toBe(429);
    expect(error.headers).toEqual({ 'retry-after': header });
    expect(error.extensions).toEqual({ retryAfterSeconds: Number(header) });
  });
});

describe('problemDocument', () => {
  it('renders type, title, status, detail and request id after the extensions', () => {
    // GIVEN an error whose extensions try to override the standard members
    const error = new HttpError(409, 'the task is done', {
      extensions: { currentState: { status: 'DONE' }, status: 200, detail: 'forged', requestId: 'forged' },
    });

    // WHEN it is rendered
    const document = problemDocument(error, 'req-7');

    // THEN the standard members win
    expect(document).toEqual({
      currentState: { status: 'DONE' },
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: 'the task is done',
      requestId: 'req-7',
    });
  });
});

describe('DynamoDB error classification', () => {
  it('recognizes a condition check failure by name', () => {
    const sdkError = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    expect(isConditionalCheckFailed(sdkError)).toBe(true);
    expect(isConditionalCheckFailed(errorWith('x', { name: 'ConditionalCheckFailedException' }))).toBe(true);
    expect(isConditionalCheckFailed(new Error('ConditionalCheckFailedException'))).toBe(false);
    expect(isConditionalCheckFailed({ name: 'ConditionalCheckFailedException' })).toBe(false);
  });

  it.each([
    [
      'ProvisionedThroughputExceededException (SDK class)',
      new ProvisionedThroughputExceededException({ message: 'slow', $metadata: {} }),
    ],
    ['ThrottlingException', errorWith('x', { name: 'ThrottlingException' })],
    ['RequestLimitExceeded', errorWith('x', { name: 'RequestLimitExceeded' })],
    ['InternalServerError', errorWith('x', { name: 'InternalServerError' })],
    ['TimeoutError', errorWith('x', { name: 'TimeoutError' })],
    ['code ECONNRESET', errorWith('read failed', { code: 'ECONNRESET' })],
    ['code ECONNREFUSED', errorWith('connect failed', { code: 'ECONNREFUSED' })],
    ['code ETIMEDOUT', errorWith('connect failed', { code: 'ETIMEDOUT' })],
    ['an SDK error marked retryable', errorWith('x', { name: 'Whatever', $retryable: { throttling: false } })],
    ['an SDK error with status 500', errorWith('x', { name: 'Whatever', $metadata: { httpStatusCode: 500 } })],
    ['an SDK error with status 503', errorWith('x', { name: 'Whatever', $metadata: { httpStatusCode: 503 } })],
    ['socket hang up', new Error('socket hang up')],
  ])('treats %s as transient: 503 with retry-after', (_, error) => {
    expect(isTransient(error)).toBe(true);
    const httpError = httpErrorOf(error);
    expect(httpError).toBeInstanceOf(HttpError);
    expect(httpError!.status).toBe(503);
    expect(httpError!.headers).toEqual({ 'retry-after': `${SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS}` });
    expect(httpError!.message).toBe(
      'the database is busy or unreachable; retry the request after the time in Retry-After',
    );
  });

  it.each([
    ['a plain Error', new Error('boom')],
    [
      'a condition check failure',
      errorWith('x', { name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } }),
    ],
    ['a validation error', errorWith('x', { name: 'ValidationException', $metadata: { httpStatusCode: 400 } })],
    ['an unrelated code', errorWith('x', { code: 'ENOENT' })],
    ['a string', 'ECONNRESET'],
    ['undefined', undefined],
  ])('does not treat %s as transient', (_, error) => {
    expect(isTransient(error)).toBe(false);
    expect(httpErrorOf(error)).toBeUndefined();
  });

  it('lets an HttpError stand as it is', () => {
    const error = new HttpError(418, 'teapot');
    expect(httpErrorOf(error)).toBe(error);
  });
});
