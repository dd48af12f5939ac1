/**
 * A REST API's authorizers (`AWS::ApiGateway::Authorizer`): Cognito user pools, Lambda TOKEN and REQUEST.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-authorizer.html
 */

import { describeResource, invokedFunction, numberOf, ReadContext, refersTo } from './context';
import { UsageError } from '../../assembly/assembly';
import { JsonObject, T } from '../../assembly/template';
import { LocalAuthorizerModel } from '../model';

/** A REST Lambda authorizer caches its answers for 300 seconds unless told otherwise. */
const REST_AUTHORIZER_TTL_SECONDS = 300;

/** The issuer of a user pool's tokens, from the pool's ARN: `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
function issuerOf(ctx: ReadContext, userPoolArn: string, where: string): string {
  const match = /^arn:[^:]+:cognito-idp:([^:]+):[^:]*:userpool\/(.+)$/.exec(userPoolArn);
  if (!match) throw new UsageError(`${where} ProviderARNs must list user pool ARNs, got: ${userPoolArn}`);
  return `https://cognito-idp.${match[1]}.${ctx.resolver.env.urlSuffix}/${match[2]}`;
}

function lambdaFunctionOf(ctx: ReadContext, props: JsonObject, where: string): string {
  const functionId = invokedFunction(ctx, props.AuthorizerUri, `${where} AuthorizerUri`);
  if (functionId === undefined) {
    const uri = ctx.resolver.optionalString(props.AuthorizerUri, `${where} AuthorizerUri`) ?? '(none)';
    throw new UsageError(
      `${where} invokes ${uri}, which is not a Lambda function of stack ${ctx.stack.displayName}: the local API runs only the stack's own functions`,
    );
  }
  return functionId;
}

function authorizerOf(ctx: ReadContext, id: string, props: JsonObject): LocalAuthorizerModel {
  const where = `authorizer ${describeResource(ctx, id)}`;
  const name = ctx.resolver.optionalString(props.Name, `${where} Name`) ?? ctx.index.name(id);
  const type = ctx.resolver.string(props.Type, `${where} Type`);
  const identitySource = ctx.resolver.optionalString(props.IdentitySource, `${where} IdentitySource`);
  const ttl = () =>
    numberOf(ctx, props.AuthorizerResultTtlInSeconds, `${where} AuthorizerResultTtlInSeconds`) ??
    REST_AUTHORIZER_TTL_SECONDS;
  switch (type) {
    case 'COGNITO_USER_POOLS': {
      const userPoolArns = ctx.resolver.strings(props.ProviderARNs, `${where} ProviderARNs`);
      return {
        kind: 'cognito',
        id,
        name,
        userPoolArns,
        issuers: userPoolArns.map((arn) => issuerOf(ctx, arn, where)),
        identitySource: identitySource ?? 'method.request.header.Authorization',
      };
    }
    case 'TOKEN':
      return {
        kind: 'lambda-token',
        id,
        name,
        functionId: lambdaFunctionOf(ctx, props, where),
        identitySource: identitySource ?? 'method.request.header.Authorization',
        validationRegex: ctx.resolver.optionalString(
          props.IdentityValidationExpression,
          `${where} IdentityValidationExpression`,
        ),
        resultTtlSeconds: ttl(),
      };
    case 'REQUEST':
      return {
        kind: 'lambda-request',
        id,
        name,
        functionId: lambdaFunctionOf(ctx, props, where),
        // A comma-separated list of request values: `method.request.header.Auth, method.request.querystring.key`.
        identitySource: (identitySource ?? '')
          .split(',')
          .map((source) => source.trim())
          .filter((source) => source !== ''),
        resultTtlSeconds: ttl(),
        simpleResponses: false,
      };
  }
  throw new UsageError(`${where} has Type ${type}: a REST API's authorizers are COGNITO_USER_POOLS, TOKEN or REQUEST`);
}

/** The API's authorizers by logical id. */
export function readRestAuthorizers(ctx: ReadContext, apiId: string): { [id: string]: LocalAuthorizerModel } {
  const authorizers: { [id: string]: LocalAuthorizerModel } = {};
  for (const [id, authorizer] of ctx.index.ofType(T.restAuthorizer)) {
    if (refersTo(ctx, authorizer.Properties?.RestApiId, apiId)) {
      authorizers[id] = authorizerOf(ctx, id, authorizer.Properties ?? {});
    }
  }
  return authorizers;
}
