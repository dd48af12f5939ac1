/**
 * The Lambda proxy integration of a REST method: invoking the function within the API's integration timeout and
 * turning how the invocation ended into the REST API's answer.
 * - The function threw, crashed or ran past its own timeout (Lambda reports a function error): 502
 *   `{"message":"Internal server error"}`
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html).
 * - The integration timeout (29 s unless raised) passed first: 504 `{"message":"Endpoint request timed out"}`
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
 * - Lambda throttled the invocation (reserved concurrency reached): undocumented; API Gateway answers 500 Internal
 *   server error and the INTEGRATION_FAILURE gateway response applies
 *   (https://repost.aws/questions/QUfI6bsdd0SOiPeyimzxSkfQ, https://stackoverflow.com/questions/36363280).
 */
import { GatewayError, gatewayError } from './gateway-responses';
import type { FunctionInvoker, InvokeOutcome } from '../../contracts';

/** Lambda's limit on a synchronous invocation's request payload. */
export const LAMBDA_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

/** How the integration ended, for the answer and the access log. */
export interface IntegrationRun {
  /** The invocation's outcome, or `timeout` when the integration timeout passed first. */
  readonly outcome: InvokeOutcome | { readonly status: 'integration-timeout' };
  readonly latencyMs: number;
}

/** Invokes the function, giving up (without stopping it, as API Gateway does) after `timeoutMs`. */
export async function runIntegration(
  invoker: FunctionInvoker,
  functionId: string,
  event: unknown,
  options: { readonly timeoutMs: number; readonly requestId: string; readonly now: () => number },
): Promise<IntegrationRun> {
  const started = options.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ status: 'integration-timeout' }>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'integration-timeout' }), options.timeoutMs);
  });
  // An invoker that throws rather than rejecting is a failed invocation too.
  const invocation = Promise.resolve()
    .then(() => invoker.invoke(functionId, event, { requestId: options.requestId }))
    .catch((e): InvokeOutcome => ({
      status: 'error',
      errorType: (e as Error)?.name ?? 'Error',
      errorMessage: (e as Error)?.message ?? String(e),
      durationMs: options.now() - started,
    }));
  try {
    const outcome = await Promise.race([invocation, timeout]);
    return { outcome, latencyMs: options.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

const INTERNAL_SERVER_ERROR = 'Internal server error';

/** A function error or a malformed result: 502 Internal server error. */
export function badGateway(): GatewayError {
  return {
    type: 'DEFAULT_5XX',
    statusCode: 502,
    message: INTERNAL_SERVER_ERROR,
    errorType: 'InternalServerErrorException',
  };
}

/** The answer to an invocation that did not return, with what the access log says of it. */
export function failedIntegration(
  outcome: Exclude<IntegrationRun['outcome'], { status: 'ok' }>,
  functionTimeoutSeconds: number,
): { error: GatewayError; integrationStatus?: number; integrationError: string } {
  switch (outcome.status) {
    case 'integration-timeout':
      return {
        error: gatewayError('INTEGRATION_TIMEOUT', 'Endpoint request timed out', 'InternalServerErrorException'),
        integrationError: 'Endpoint request timed out',
      };
    case 'throttled':
      return {
        error: gatewayError('INTEGRATION_FAILURE', INTERNAL_SERVER_ERROR, 'InternalServerErrorException', {
          statusCode: 500,
        }),
        integrationStatus: 429,
        integrationError: 'Rate Exceeded.',
      };
    case 'timeout':
      return {
        error: badGateway(),
        integrationStatus: 200,
        integrationError: `Task timed out after ${functionTimeoutSeconds.toFixed(2)} seconds`,
      };
    case 'error':
      return { error: badGateway(), integrationStatus: 200, integrationError: outcome.errorMessage };
  }
}
