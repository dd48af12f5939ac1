import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';

/** The route every benchmark handler serves. */
export const CREATE_TASK_ROUTE = 'POST /projects/{projectId}/tasks';

/** Options of one create-task request. */
export interface CreateTaskEventOptions {
  readonly projectId: string;
  /** Unique per request, so every conditional put creates a new item and answers 201. */
  readonly taskId: string;
  /** Sent as `Idempotency-Key` when given. */
  readonly idempotencyKey?: string;
  readonly requestId: string;
}

/**
 * An HTTP API (payload format 2.0) event as API Gateway sends it for `POST /projects/{projectId}/tasks` behind a
 * JWT authorizer: the same shape and size for every variant, so only the handlers differ.
 */
export function createTaskEvent(options: CreateTaskEventOptions): APIGatewayProxyEventV2WithJWTAuthorizer {
  const rawPath = `/projects/${options.projectId}/tasks`;
  const body = JSON.stringify({ taskId: options.taskId, title: 'Write the quarterly report' });
  return {
    version: '2.0',
    routeKey: CREATE_TASK_ROUTE,
    rawPath,
    rawQueryString: '',
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      host: 'api.example.com',
      'user-agent': 'bench/1.0',
      'x-amzn-trace-id': `Root=1-00000000-${options.requestId.padStart(24, '0').slice(-24)}`,
      'x-forwarded-for': '192.0.2.1',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...(options.idempotencyKey === undefined ? {} : { 'idempotency-key': options.idempotencyKey }),
    },
    pathParameters: { projectId: options.projectId },
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: {
          claims: { sub: 'user-1', iss: 'https://auth.example.com', aud: 'task-board-web', scope: 'tasks/write' },
          scopes: ['tasks/write'],
        },
      },
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'bench/1.0' },
      requestId: options.requestId,
      routeKey: CREATE_TASK_ROUTE,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1767225600000,
    },
  };
}

/**
 * A Lambda context as the runtime passes it, with 29 seconds left: the toolkit and Powertools both size their
 * idempotency lock from the remaining time (and Powertools warns on every request without it).
 */
export function lambdaContext(requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'bench-create-task',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench-create-task',
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/bench-create-task',
    logStreamName: '2026/01/01/[$LATEST]00000000000000000000000000000000',
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
