import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import {
  acknowledgeWithoutCognito,
  AuthorizationKind,
  RestAuthorizerContext,
  restAuthorizer,
  RestMethodAuthorization,
} from './authorization-kind';
import { DEFAULT_RESULTS_CACHE_TTL, validateLambdaFunction } from './lambda-authorizer';
import { fail, isLiteral } from '../../private/validation';
import { ApiType } from '../api-type';
import { lambdaInvocationUri } from '../invoke';

/** The header a Lambda token authorizer reads unless told otherwise. */
export const DEFAULT_TOKEN_HEADER = 'Authorization';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

/** A Lambda token authorizer (REST APIs only): a function reads one header's token and answers an IAM policy. */
export interface LambdaTokenAuthorizationProps {
  /**
   * Path of the TypeScript or JavaScript file exporting `handler`, bundled like the route functions.
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
   * The header carrying the token; a request without it gets 401 without a call.
   *
   * @default 'Authorization'
   */
  readonly header?: string;
  /**
   * A regular expression the token must match, checked by API Gateway before calling the function.
   *
   * @default - any token is passed to the function
   */
  readonly validationRegex?: string;
  /**
   * How long API Gateway caches the function's answer for the same token; at most 1 hour,
   * `Duration.seconds(0)` turns caching off. A cached policy applies to every route, so it should allow
   * all the routes the caller may call.
   *
   * @default Duration.minutes(5)
   */
  readonly resultsCacheTtl?: Duration;
  /**
   * Name of the authorizer in API Gateway.
   *
   * @default 'lambdatoken'
   */
  readonly authorizerName?: string;
}

/** `ApiAuthorization.lambdaToken()`: a function reads one header's token and answers an IAM policy (REST only). */
export class LambdaTokenAuthorization extends AuthorizationKind {
  public readonly factory = 'ApiAuthorization.lambdaToken()';

  constructor(public readonly props: LambdaTokenAuthorizationProps) {
    super();
  }

  public validate(prop: string): void {
    const props = this.props;
    validateLambdaFunction(prop, props);
    if (isLiteral(props.header) && !HEADER_NAME.test(props.header!)) {
      fail(`${prop}.header`, 'be a header name such as "Authorization"', props.header);
    }
    const regex = props.validationRegex;
    if (isLiteral(regex)) {
      try {
        new RegExp(regex!);
      } catch {
        fail(
          `${prop}.validationRegex`,
          'be a valid regular expression, such as "^Bearer [-0-9A-Za-z._~+/]+=*$"',
          regex,
        );
      }
    }
  }

  public unsupportedOn(type: ApiType): string | undefined {
    return type === ApiType.HTTP
      ? `HTTP APIs have Lambda request authorizers only: use ApiAuthorization.lambdaRequest() with \`identitySource: ["$request.header.${this.props.header ?? DEFAULT_TOKEN_HEADER}"]\`, or \`apiType: ApiType.REST\``
      : undefined;
  }

  /** Answers an IAM policy for the token in one header, cached by that token. */
  public bindRest(context: RestAuthorizerContext): RestMethodAuthorization {
    const { id, name } = context.next('LambdaToken');
    const authorizerName = this.props.authorizerName ?? name;
    const fn = context.authorizerFunction(id, authorizerName, this.props);
    const identitySource = `method.request.header.${this.props.header ?? DEFAULT_TOKEN_HEADER}`;
    const authorizer = restAuthorizer(context.scope, id, apigateway.AuthorizationType.CUSTOM, [identitySource], {
      name: authorizerName,
      restApiId: context.api.restApiId,
      type: 'TOKEN',
      authorizerUri: lambdaInvocationUri(context.scope, fn),
      authorizerCredentials: context.invokeRole.roleArn,
      authorizerResultTtlInSeconds: (this.props.resultsCacheTtl ?? DEFAULT_RESULTS_CACHE_TTL).toSeconds(),
      identitySource,
      identityValidationExpression: this.props.validationRegex,
    });
    return { authorizationType: apigateway.AuthorizationType.CUSTOM, authorizer };
  }

  public acknowledgeRoute(resource: IConstruct, routeKey: string, type: ApiType): void {
    if (type === ApiType.REST) {
      acknowledgeWithoutCognito(resource, routeKey, 'authorized by a Lambda token authorizer the API owner chose');
    }
  }
}
