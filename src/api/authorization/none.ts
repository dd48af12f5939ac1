import { Validations } from 'aws-cdk-lib';
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

/** `ApiAuthorization.none()`: a public route, which only a route may be, never the whole API. */
export class NoAuthorization extends AuthorizationKind {
  public readonly factory = 'ApiAuthorization.none()';

  public validateApiWide(prop: string): void {
    fail(
      prop,
      'not be ApiAuthorization.none(): mark each public route with `authorization: ApiAuthorization.none()` instead',
      'ApiAuthorization.none()',
    );
  }

  public validateScopes(prop: string, scopes: string[]): void {
    fail(prop, 'be empty on a public route (ApiAuthorization.none())', scopes);
  }

  public bindHttp(): HttpRouteAuthorization {
    return { authorizationType: 'NONE' };
  }

  public bindRest(): RestMethodAuthorization {
    return { authorizationType: apigateway.AuthorizationType.NONE };
  }

  public acknowledgeRoute(resource: IConstruct, routeKey: string, type: ApiType): void {
    Validations.of(resource).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: `The API's owner marked ${routeKey} public with ApiAuthorization.none().`,
    });
    if (type === ApiType.REST) {
      acknowledgeWithoutCognito(resource, routeKey, "public by the API owner's choice (ApiAuthorization.none())");
    }
  }
}
