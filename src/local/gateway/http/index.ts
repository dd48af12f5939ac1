import { HttpGateway } from './http-gateway';
import type { FunctionInvoker, Gateway, RouteAuthorizer } from '../../contracts';
import type { LocalAppModel } from '../../model';

export { httpLambdaAuthorizerEvent } from './lambda-authorizer-event';
export { apiIdentity, type ApiIdentity } from './events';

/** The gateway of an HTTP API (payload format 2.0), answering as API Gateway answers. */
export function createHttpGateway(options: {
  readonly app: LocalAppModel;
  readonly invoker: FunctionInvoker;
  readonly authorizer: RouteAuthorizer;
  /** Milliseconds, for throttling and latencies; `Date.now` unless a test drives the time. */
  readonly now?: () => number;
  /** Where the gateway explains the failures a client sees only as a status; standard error by default. */
  readonly log?: (line: string) => void;
}): Gateway {
  return new HttpGateway(options);
}
