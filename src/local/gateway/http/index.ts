import { HttpGateway } from './http-gateway';
import type { Gateway, GatewayOptions } from '../../contracts';

export { httpLambdaAuthorizerEvent } from './lambda-authorizer-event';
export { apiIdentity, type ApiIdentity } from './events';

/** The gateway of an HTTP API (payload format 2.0), answering as API Gateway answers. */
export function createHttpGateway(options: GatewayOptions): Gateway {
  return new HttpGateway(options);
}
