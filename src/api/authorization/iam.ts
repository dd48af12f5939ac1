import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';
import {
  acknowledgeWithoutCognito,
  AuthorizationKind,
  HttpRouteAuthorization,
  RestMethodAuthorization,
} from './authorization-kind';
import { fail } from '../../private/validation';
import { ApiType } from '../api-type';

/** `ApiAuthorization.iam()`: API Gateway checks the SigV4 signature and the caller's `execute-api:Invoke`. */
export class IamAuthorization extends AuthorizationKind {
  public readonly factory = 'ApiAuthorization.iam()';
  public readonly iamAuthorized = true;

  public validateRouteCache(prop: string, cache: object): void {
    fail(
      prop,
      'be left out on a route authorized by ApiAuthorization.iam(): a SigV4 signature changes with every request, so it cannot key the cache per caller',
      cache,
    );
  }

  public bindHttp(): HttpRouteAuthorization {
    return { authorizationType: 'AWS_IAM' };
  }

  public bindRest(): RestMethodAuthorization {
    return { authorizationType: apigateway.AuthorizationType.IAM };
  }

  public acknowledgeRoute(resource: IConstruct, routeKey: string, type: ApiType): void {
    if (type === ApiType.REST) {
      acknowledgeWithoutCognito(
        resource,
        routeKey,
        'authorized with SigV4 (ApiAuthorization.iam()): callers are AWS principals, not user-pool users',
      );
    }
  }
}
