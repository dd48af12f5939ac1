/**
 * What the local API reads from a synthesized stack: the API, its routes and authorizers, the functions with the
 * environment and role statements the template gives them, and the tables. Types, and the one limit they fall back
 * to; `reader/` builds it from a cloud assembly, with every intrinsic function resolved to a local value.
 */
import type { LocalStreamModel, LocalWorkersModel } from './workers-model';

/** The two API Gateway flavours, as the template says which one it is. */
export type LocalApiType = 'HTTP' | 'REST';

/** Token-bucket limits: `rateLimit` requests per second refill a bucket of `burstLimit`. */
export interface ThrottleModel {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * API Gateway's account-level limits per Region: what applies where a stage, route or method leaves a limit unset,
 * and what no setting raises. https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
 */
export const ACCOUNT_THROTTLE: ThrottleModel = { rateLimit: 10000, burstLimit: 5000 };

/** One stack that holds a `ServerlessApi`, ready to run locally. */
export interface LocalAppModel {
  /** The stack's name, as `--stack` selects it. */
  readonly stackName: string;
  /** Region and account the local ARNs use (the stack's own when it names them). */
  readonly region: string;
  readonly accountId: string;
  readonly api: LocalApiModel;
  /**
   * Every Lambda function of the stack the API reaches (route functions and Lambda authorizers) and every worker an
   * event source mapping or a rule invokes, by logical id.
   */
  readonly functions: { readonly [logicalId: string]: LocalFunctionModel };
  readonly tables: readonly LocalTableModel[];
  /**
   * The roles of the stack a function may assume (their trust policy names an AWS principal), by ARN: the local STS
   * answers `AssumeRole` for them.
   */
  readonly roles?: { readonly [arn: string]: LocalRoleModel };
  /**
   * The stack's Secrets Manager secrets, which the local Secrets Manager serves to the functions their roles allow.
   * @default none
   */
  readonly secrets?: readonly LocalSecretModel[];
  /**
   * The stack's queues, event buses and rules, event source mappings and asynchronous invocation settings: what the
   * local SQS, EventBridge and table streams run.
   * @default none
   */
  readonly workers?: LocalWorkersModel;
  /** The folder of the cloud assembly the model was read from. */
  readonly assemblyDir: string;
  /**
   * What runs differently locally than deployed, for the user to see: a secret given a placeholder, an AWS managed
   * policy left out of the role's statements, a route whose integration is not a Lambda function of the stack.
   */
  readonly warnings?: readonly string[];
}

export interface LocalApiModel {
  readonly type: LocalApiType;
  readonly logicalId: string;
  /**
   * The API's id as `Ref` gives it (10 characters, made up locally and stable for the stack): in `execute-api` ARNs,
   * `requestContext.apiId` and the `methodArn` / `routeArn` a Lambda authorizer's policy is checked against.
   */
  readonly apiId: string;
  readonly name: string;
  /** `$default` for an HTTP API's default stage; the REST stage's name (`prod`) otherwise. */
  readonly stageName: string;
  readonly routes: readonly LocalRouteModel[];
  /** The stage's default throttle; absent when the stage sets none. */
  readonly throttle?: ThrottleModel;
  /** The HTTP API's CORS configuration, or the preflight a REST API's CORS options answer. */
  readonly cors?: LocalCorsModel;
  /** By the authorizer's logical id. */
  readonly authorizers: { readonly [logicalId: string]: LocalAuthorizerModel };
  /** REST usage plans on this stage. */
  readonly usagePlans: readonly LocalUsagePlanModel[];
  /** REST API keys (values from the template, or generated locally when CloudFormation would generate them). */
  readonly apiKeys: readonly LocalApiKeyModel[];
  /** REST `binaryMediaTypes`. */
  readonly binaryMediaTypes: readonly string[];
  /** The access log's `Format` string as the stage declares it (`$context.*` variables), if any. */
  readonly accessLogFormat?: string;
  /** Integration timeout: 30 s for HTTP APIs, 29 s for REST APIs unless raised. */
  readonly integrationTimeoutMs: number;
  /**
   * REST gateway responses the API customizes, by response type (`DEFAULT_4XX`, `UNAUTHORIZED`, ...): the status
   * code that replaces the type's own, and the headers added. Header values are literals without their quotes, or
   * a request value as API Gateway's mapping expression (`method.request.header.Origin`), resolved per request.
   */
  readonly gatewayResponses?: {
    readonly [type: string]: { readonly statusCode?: number; readonly headers: { readonly [name: string]: string } };
  };
}

export interface LocalRouteModel {
  /** `GET`, `POST`, ... or `ANY`. */
  readonly method: string;
  /** The route's path template: `/projects/{projectId}/tasks`, `/files/{proxy+}`. */
  readonly path: string;
  /** `GET /projects/{projectId}/tasks`, as an HTTP API names routes. */
  readonly routeKey: string;
  /** Logical id of the function the route's integration invokes. */
  readonly functionId: string;
  readonly authorization: LocalRouteAuthorization;
  /** OAuth scopes the route requires (any one of them); empty when none. */
  readonly scopes: readonly string[];
  /** The route's own throttle, overriding the stage's. */
  readonly throttle?: ThrottleModel;
  /** The route's integration timeout when its integration sets one (`TimeoutInMillis`); else the API's. */
  readonly integrationTimeoutMs?: number;
  /** REST: the method requires an API key. */
  readonly apiKeyRequired: boolean;
  /** REST: the JSON Schema (draft 4) the request body must satisfy. */
  readonly requestModel?: { readonly [key: string]: unknown };
  /** REST: request parameters the method requires. */
  readonly requiredParameters: { readonly querystrings: readonly string[]; readonly headers: readonly string[] };
}

/** How a route is authorized. */
export type LocalRouteAuthorization =
  { readonly type: 'NONE' } | { readonly type: 'IAM' } | { readonly type: 'AUTHORIZER'; readonly authorizerId: string };

export type LocalAuthorizerModel =
  | LocalJwtAuthorizerModel
  | LocalCognitoAuthorizerModel
  | LocalLambdaRequestAuthorizerModel
  | LocalLambdaTokenAuthorizerModel;

/** HTTP API JWT authorizer. */
export interface LocalJwtAuthorizerModel {
  readonly kind: 'jwt';
  readonly id: string;
  readonly name: string;
  readonly issuer: string;
  readonly audience: readonly string[];
  /** `$request.header.Authorization` and the like. */
  readonly identitySource: readonly string[];
}

/** REST Cognito user pools authorizer. */
export interface LocalCognitoAuthorizerModel {
  readonly kind: 'cognito';
  readonly id: string;
  readonly name: string;
  readonly userPoolArns: readonly string[];
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>` of each pool. */
  readonly issuers: readonly string[];
  /** `method.request.header.Authorization`. */
  readonly identitySource: string;
}

/** Lambda REQUEST authorizer of either API type. */
export interface LocalLambdaRequestAuthorizerModel {
  readonly kind: 'lambda-request';
  readonly id: string;
  readonly name: string;
  readonly functionId: string;
  /** HTTP: `$request.header.X`; REST: `method.request.header.X`. */
  readonly identitySource: readonly string[];
  /** 0 turns caching off. */
  readonly resultTtlSeconds: number;
  /** HTTP API payload format of the authorizer event. */
  readonly payloadFormatVersion?: '1.0' | '2.0';
  /** HTTP API simple responses (`{ isAuthorized, context }`). */
  readonly simpleResponses: boolean;
}

/** REST Lambda TOKEN authorizer. */
export interface LocalLambdaTokenAuthorizerModel {
  readonly kind: 'lambda-token';
  readonly id: string;
  readonly name: string;
  readonly functionId: string;
  /** `method.request.header.Authorization`. */
  readonly identitySource: string;
  readonly validationRegex?: string;
  readonly resultTtlSeconds: number;
}

export interface LocalFunctionModel {
  readonly logicalId: string;
  /** The name the function was declared with (`tasks`), or its logical id. */
  readonly name: string;
  /** The function's name as Lambda knows it (`AWS_LAMBDA_FUNCTION_NAME`). */
  readonly functionName: string;
  /** `index.handler`. */
  readonly handler: string;
  /** `nodejs22.x`. */
  readonly runtime: string;
  readonly architecture: 'arm64' | 'x86_64';
  /** Absolute path of the function's code: the asset folder in the cloud assembly. */
  readonly codeDir: string;
  /** The environment the template gives the function, every value resolved to a local string. */
  readonly environment: { readonly [name: string]: string };
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  readonly reservedConcurrency?: number;
  /** The function's execution role and every statement attached to it. */
  readonly role: {
    readonly logicalId: string;
    readonly arn: string;
    readonly statements: readonly PolicyStatementModel[];
  };
  /** The log group the function writes to. */
  readonly logGroupName: string;
  /** `LoggingConfig.LogFormat`: Lambda writes the function's console lines as JSON records or as text. */
  readonly logFormat: 'Text' | 'JSON';
  /** `LoggingConfig.ApplicationLogLevel` of a JSON-logging function (`INFO`): lower console levels are dropped. */
  readonly applicationLogLevel?: string;
}

/** A role of the stack: its identity statements, and who may assume it. */
export interface LocalRoleModel {
  readonly logicalId: string;
  readonly arn: string;
  readonly statements: readonly PolicyStatementModel[];
  /** Its trust policy (`AssumeRolePolicyDocument`). */
  readonly trust: readonly TrustStatementModel[];
}

/** A trust policy statement: a policy statement with the principals it names, by kind (`AWS`, `Service`). */
export interface TrustStatementModel extends PolicyStatementModel {
  readonly Principal?: { readonly [kind: string]: readonly string[] };
}

/** An IAM policy statement with every intrinsic resolved; single values normalised to lists. */
export interface PolicyStatementModel {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: readonly string[];
  readonly NotAction?: readonly string[];
  readonly Resource?: readonly string[];
  readonly NotResource?: readonly string[];
  /** Operator -> condition key -> values. */
  readonly Condition?: { readonly [operator: string]: { readonly [key: string]: readonly string[] } };
}

export interface KeyAttributeModel {
  readonly name: string;
  /** `S`, `N` or `B`. */
  readonly type: string;
}

export interface LocalTableModel {
  readonly logicalId: string;
  readonly tableName: string;
  readonly arn: string;
  readonly partitionKey: KeyAttributeModel;
  readonly sortKey?: KeyAttributeModel;
  readonly globalSecondaryIndexes: readonly LocalIndexModel[];
  readonly localSecondaryIndexes: readonly LocalIndexModel[];
  /** The TTL attribute (epoch seconds), when TTL is on. */
  readonly ttlAttribute?: string;
  /** The table's stream, when `StreamSpecification` turns one on. */
  readonly stream?: LocalStreamModel;
}

export interface LocalIndexModel {
  readonly indexName: string;
  readonly partitionKey: KeyAttributeModel;
  readonly sortKey?: KeyAttributeModel;
  /** `ALL`, `KEYS_ONLY` or `INCLUDE`. */
  readonly projectionType: string;
  readonly nonKeyAttributes?: readonly string[];
}

/** A secret of the stack, with the value it has locally. */
export interface LocalSecretModel {
  readonly logicalId: string;
  /** The name the secret was declared with (its construct id), or its logical id. */
  readonly name: string;
  /** Its name in Secrets Manager: the template's `Name`, else `<stack>-<logicalId>`. */
  readonly secretName: string;
  /** Its full ARN, ending in the 6 random characters Secrets Manager appends to the name. */
  readonly arn: string;
  /** The value given in `secrets` (`--secret`), or a placeholder. */
  readonly value: string;
  /** Whether `value` was given, rather than a placeholder. */
  readonly given: boolean;
  /** The customer-managed key the secret is encrypted with, whose `kms:Decrypt` the caller needs too. */
  readonly kmsKeyArn?: string;
}

export interface LocalCorsModel {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAgeSeconds?: number;
}

export interface LocalUsagePlanModel {
  readonly id: string;
  readonly name: string;
  readonly throttle?: ThrottleModel;
  readonly quota?: { readonly limit: number; readonly period: 'DAY' | 'WEEK' | 'MONTH'; readonly offset: number };
  /** Logical ids of the API keys in the plan. */
  readonly apiKeyIds: readonly string[];
  /** Per-method throttles: `/path/GET` -> limits. */
  readonly methodThrottles: { readonly [resourceMethod: string]: ThrottleModel };
}

export interface LocalApiKeyModel {
  readonly id: string;
  readonly name: string;
  readonly value: string;
  readonly enabled: boolean;
}
