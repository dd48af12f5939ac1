import { Duration } from 'aws-cdk-lib';
import {
  ApiAuthorization,
  AuthorizationType,
  CognitoAuthorizationProps,
  JwtAuthorizationProps,
  LambdaAuthorizationProps,
  LambdaTokenAuthorizationProps,
} from './api-authorization';
import { DEFAULT_IDENTITY_SOURCE, DEFAULT_RESULTS_CACHE_TTL, MAX_RESULTS_CACHE_TTL } from './authorizer-registry';
import { checkEntry } from '../../functions/observed-function';
import { fail, isLiteral } from '../../private/validation';

const SELECTION_EXPRESSION = /^\$(request\.(header|querystring)|context|stageVariables)\.\S+$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

/** The factory a kind of authorization is made with, for messages. */
export const AUTHORIZATION_FACTORIES: { [type in AuthorizationType]: string } = {
  [AuthorizationType.JWT]: 'ApiAuthorization.jwt()',
  [AuthorizationType.COGNITO]: 'ApiAuthorization.cognito()',
  [AuthorizationType.LAMBDA]: 'ApiAuthorization.lambdaRequest()',
  [AuthorizationType.LAMBDA_TOKEN]: 'ApiAuthorization.lambdaToken()',
  [AuthorizationType.IAM]: 'ApiAuthorization.iam()',
  [AuthorizationType.NONE]: 'ApiAuthorization.none()',
};

/** Checks the settings of one authorization, wherever it is used (`prop` names where). */
export function validateAuthorizationSettings(prop: string, authorization: ApiAuthorization): void {
  switch (authorization.type) {
    case AuthorizationType.JWT:
      return validateJwt(prop, authorization.jwtProps!);
    case AuthorizationType.COGNITO:
      return validateCognito(prop, authorization.cognitoProps ?? {});
    case AuthorizationType.LAMBDA:
      return validateLambda(prop, authorization.lambdaProps!);
    case AuthorizationType.LAMBDA_TOKEN:
      return validateLambdaToken(prop, authorization.lambdaTokenProps!);
    default:
      return;
  }
}

/** True when the authorization would create a user pool rather than import one. */
export function createsUserPool(authorization: ApiAuthorization): boolean {
  return authorization.type === AuthorizationType.COGNITO && !authorization.cognitoProps?.userPool;
}

function validateJwt(prop: string, jwt: JwtAuthorizationProps): void {
  if (isLiteral(jwt.issuer) && !/^https:\/\/[^\s/]+(\/\S*)?$/.test(jwt.issuer)) {
    fail(`${prop}.issuer`, 'be an https URL of the token issuer', jwt.issuer);
  }
  if (!jwt.audience || jwt.audience.length === 0) {
    fail(`${prop}.audience`, 'list at least one accepted audience (client id)', jwt.audience ?? []);
  }
  jwt.audience.forEach((audience, i) => {
    if (isLiteral(audience) && audience.trim() === '') fail(`${prop}.audience[${i}]`, 'not be empty', audience);
  });
  validateIdentitySource(`${prop}.identitySource`, jwt.identitySource ?? []);
}

function validateCognito(prop: string, cognito: CognitoAuthorizationProps): void {
  const clients = cognito.userPoolClients;
  if (cognito.userPool) {
    if (!clients || clients.length === 0) {
      fail(
        `${prop}.userPoolClients`,
        'list at least one app client of the imported `userPool`: their ids are the accepted audiences',
        clients ?? [],
      );
    }
    const createOnly: [string, unknown][] = [
      ['selfSignUp', cognito.selfSignUp],
      ['threatProtection', cognito.threatProtection],
      ['removalPolicy', cognito.removalPolicy],
    ];
    for (const [name, value] of createOnly) {
      if (value !== undefined) {
        fail(`${prop}.${name}`, 'be left out when `userPool` is imported: the pool keeps its own settings', value);
      }
    }
  } else if (clients !== undefined) {
    fail(
      `${prop}.userPoolClients`,
      'be left out unless `userPool` is imported: the API creates the client of the pool it creates',
      clients.map((client) => client.node.path),
    );
  }
}

/** The function and the cache of a Lambda authorizer, request or token. */
function validateLambdaFunction(
  prop: string,
  props: { entry?: string; authorizerFunction?: unknown; resultsCacheTtl?: Duration },
): Duration {
  if ((props.entry === undefined) === (props.authorizerFunction === undefined)) {
    fail(
      prop,
      'set exactly one of `entry` (a handler file to bundle) and `authorizerFunction` (an existing function)',
      props.entry === undefined ? 'neither' : 'both',
    );
  }
  checkEntry(`${prop}.entry`, props.entry);
  const ttl = props.resultsCacheTtl ?? DEFAULT_RESULTS_CACHE_TTL;
  if (isLiteral(ttl)) {
    const ms = ttl.toMilliseconds();
    if (ms < 0 || ms % 1000 !== 0 || ms > MAX_RESULTS_CACHE_TTL.toMilliseconds()) {
      fail(`${prop}.resultsCacheTtl`, 'be a whole number of seconds from 0 (no caching) to 1 hour', ttl);
    }
  }
  return ttl;
}

function validateLambdaToken(prop: string, props: LambdaTokenAuthorizationProps): void {
  validateLambdaFunction(prop, props);
  if (isLiteral(props.header) && !HEADER_NAME.test(props.header!)) {
    fail(`${prop}.header`, 'be a header name such as "Authorization"', props.header);
  }
  const regex = props.validationRegex;
  if (isLiteral(regex)) {
    try {
      new RegExp(regex!);
    } catch {
      fail(`${prop}.validationRegex`, 'be a valid regular expression, such as "^Bearer [-0-9A-Za-z._~+/]+=*$"', regex);
    }
  }
}

function validateLambda(prop: string, props: LambdaAuthorizationProps): void {
  const ttl = validateLambdaFunction(prop, props);
  const identitySource = props.identitySource ?? DEFAULT_IDENTITY_SOURCE;
  if (identitySource.length === 0 && !isUncached(ttl)) {
    fail(
      `${prop}.identitySource`,
      'list at least one source while results are cached, as they are the cache key (or set `resultsCacheTtl: Duration.seconds(0)`)',
      identitySource,
    );
  }
  validateIdentitySource(`${prop}.identitySource`, identitySource);
}

function isUncached(ttl: Duration): boolean {
  return isLiteral(ttl) && ttl.toMilliseconds() === 0;
}

function validateIdentitySource(prop: string, sources: string[]): void {
  sources.forEach((source, i) => {
    if (isLiteral(source) && !SELECTION_EXPRESSION.test(source)) {
      fail(`${prop}[${i}]`, 'be a selection expression such as "$request.header.Authorization"', source);
    }
  });
}
