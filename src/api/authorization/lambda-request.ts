import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import {
  acknowledgeWithoutCognito,
  AuthorizationKind,
  HttpAuthorizerContext,
  HttpRouteAuthorization,
  RestAuthorizerContext,
  restAuthorizer,
  RestMethodAuthorization,
} from './authorization-kind';
import { DEFAULT_IDENTITY_SOURCE, restIdentitySource, validateIdentitySource } from './identity-source';
import { DEFAULT_RESULTS_CACHE_TTL, validateLambdaFunction } from './lambda-authorizer';
import { fail, isLiteral } from '../../private/validation';
import { ApiType } from '../api-type';
import { lambdaInvocationUri } from '../invoke';

/** A Lambda request authorizer: a function reads the request and answers `{ isAuthorized: boolean }`. */
export interface LambdaAuthorizationProps {
  /**
   * Path of the TypeScript or JavaScript file exporting `handler`, bundled with esbuild like the
   * route functions, with its own log group and a role limited to logs, X-Ray and its `secrets`.
   * Give either `entry` or `authorizerFunction`.
   *
   * @default - use `authorizerFunction`
   */
  readonly entry?: string;
  /**
   * An existing function to call instead of bundling `entry`. Give either `entry` or `authorizerFunction`.
   *
   * @default - a function bundled from `entry`
   */
  readonly authorizerFunction?: lambda.IFunction;
  /**
   * Environment variables of the function bundled from `entry`. Never a secret: a `SecretValue` or a
   * `{{resolve:secretsmanager:...}}` reference is refused; declare it in `secrets` instead.
   *
   * @default - none besides the library's own
   */
  readonly environment?: { [key: string]: string };
  /**
   * Secrets the function bundled from `entry` reads at run time, by the environment variable that carries each one's
   * ARN (never its value); its role may read exactly these, and the handler reads a value with `getSecret(name)` from
   * `cdk-serverless-api/runtime`.
   *
   * @default - no secrets
   */
  readonly secrets?: { [envName: string]: secretsmanager.ISecret };
  /**
   * The request values the function receives; a request missing any of them gets 401 without a call.
   * They are also the cache key, so they may be empty only when `resultsCacheTtl` is zero.
   *
   * @default ['$request.header.Authorization']
   */
  readonly identitySource?: string[];
  /**
   * How long API Gateway caches the function's answer for the same identity sources; at most 1 hour,
   * `Duration.seconds(0)` turns caching off.
   *
   * @default Duration.minutes(5)
   */
  readonly resultsCacheTtl?: Duration;
  /**
   * Name of the authorizer in API Gateway.
   *
   * @default 'lambda'
   */
  readonly authorizerName?: string;
}

/**
 * `ApiAuthorization.lambdaRequest()`: a function reads the request values in `identitySource`, answering
 * `{ isAuthorized }` on HTTP APIs and an IAM policy on REST APIs, cached by those values.
 */
export class LambdaRequestAuthorization extends AuthorizationKind {
  public readonly factory = 'ApiAuthorization.lambdaRequest()';

  constructor(public readonly props: LambdaAuthorizationProps) {
    super();
  }

  private get identitySource(): string[] {
    return this.props.identitySource ?? DEFAULT_IDENTITY_SOURCE;
  }

  public validate(prop: string): void {
    const ttl = validateLambdaFunction(prop, this.props);
    const identitySource = this.identitySource;
    if (identitySource.length === 0 && !(isLiteral(ttl) && ttl.toMilliseconds() === 0)) {
      fail(
        `${prop}.identitySource`,
        'list at least one source while results are cached, as they are the cache key (or set `resultsCacheTtl: Duration.seconds(0)`)',
        identitySource,
      );
    }
    validateIdentitySource(`${prop}.identitySource`, identitySource);
  }

  public validateRouteCache(prop: string, cache: object): void {
    if (!this.identitySource.some((source) => source.startsWith('$request.'))) {
      fail(
        prop,
        'be left out on a route whose Lambda request authorizer reads no header or query string (`identitySource`): nothing would key the cache per caller',
        cache,
      );
    }
  }

  /**
   * A request authorizer answering `{ isAuthorized }` (simple responses, payload 2.0), invoked through
   * the API's invoke role like the integrations, so it needs no Lambda permission.
   */
  public bindHttp(context: HttpAuthorizerContext): HttpRouteAuthorization {
    const { id, name } = context.next('Lambda');
    const authorizerName = this.props.authorizerName ?? name;
    const fn = context.authorizerFunction(id, authorizerName, this.props);
    const identitySource = this.identitySource;
    const authorizer = new apigwv2.HttpAuthorizer(context.scope, id, {
      httpApi: context.api,
      type: apigwv2.HttpAuthorizerType.LAMBDA,
      authorizerName,
      identitySource,
      authorizerUri: lambdaInvocationUri(context.scope, fn),
      payloadFormatVersion: apigwv2.AuthorizerPayloadVersion.VERSION_2_0,
      enableSimpleResponses: true,
      resultsCacheTtl: this.props.resultsCacheTtl ?? DEFAULT_RESULTS_CACHE_TTL,
      role: context.invokeRole,
    });
    if (identitySource.length === 0) {
      // Without caching a request authorizer may read nothing up front; CloudFormation wants the property absent.
      (authorizer.node.defaultChild as apigwv2.CfnAuthorizer).addPropertyDeletionOverride('IdentitySource');
    }
    return { authorizationType: 'CUSTOM', authorizer };
  }

  /** Answers an IAM policy for the request values in `identitySource`, cached by those values. */
  public bindRest(context: RestAuthorizerContext): RestMethodAuthorization {
    const { id, name } = context.next('Lambda');
    const authorizerName = this.props.authorizerName ?? name;
    const fn = context.authorizerFunction(id, authorizerName, this.props);
    const sources = this.identitySource.map(restIdentitySource);
    const authorizer = restAuthorizer(context.scope, id, apigateway.AuthorizationType.CUSTOM, sources, {
      name: authorizerName,
      restApiId: context.api.restApiId,
      type: 'REQUEST',
      authorizerUri: lambdaInvocationUri(context.scope, fn),
      authorizerCredentials: context.invokeRole.roleArn,
      authorizerResultTtlInSeconds: (this.props.resultsCacheTtl ?? DEFAULT_RESULTS_CACHE_TTL).toSeconds(),
      // Without caching a request authorizer may read nothing up front; CloudFormation wants the property absent.
      identitySource: sources.length ? sources.join(',') : undefined,
    });
    return { authorizationType: apigateway.AuthorizationType.CUSTOM, authorizer };
  }

  public acknowledgeRoute(resource: IConstruct, routeKey: string, type: ApiType): void {
    if (type === ApiType.REST) {
      acknowledgeWithoutCognito(resource, routeKey, 'authorized by a Lambda request authorizer the API owner chose');
    }
  }
}
