/**
 * The contracts between the local API's parts: the gateway calls functions through a `FunctionInvoker` and asks a
 * `RouteAuthorizer` who the caller is; functions reach DynamoDB through an endpoint that evaluates each request
 * against their role. Types only.
 */
import type { LocalAppModel, LocalRouteModel } from './model';

/** How one invocation may run. */
export interface InvokeOptions {
  /** Id of the request that caused the invocation (for logs). */
  readonly requestId?: string;
}

/** How an invocation ended, as Lambda reports it to API Gateway. */
export type InvokeOutcome =
  /** The handler returned (or resolved) `payload`. */
  | { readonly status: 'ok'; readonly payload: unknown; readonly durationMs: number }
  /** The handler threw, rejected, or its environment crashed. */
  | {
      readonly status: 'error';
      readonly errorType: string;
      readonly errorMessage: string;
      readonly durationMs: number;
    }
  /** The handler ran past the function's timeout; Lambda reports `Task timed out after N seconds`. */
  | { readonly status: 'timeout'; readonly durationMs: number }
  /** No execution environment could take the invocation (reserved concurrency reached): Lambda's 429. */
  | { readonly status: 'throttled' };

/** Runs functions by logical id, each in its own execution environments. */
export interface FunctionInvoker {
  invoke(functionId: string, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome>;
}

/** One HTTP request as the gateway received it. */
export interface GatewayRequest {
  readonly method: string;
  /** The path as sent, still percent-encoded, without the query string. */
  readonly rawPath: string;
  /** The query string as sent, without `?`. */
  readonly rawQueryString: string;
  /** Header names lower-cased; every value of a repeated header, in order. */
  readonly headers: { readonly [name: string]: readonly string[] };
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly requestId: string;
  /** When the gateway received the request (epoch milliseconds). */
  readonly timeEpoch: number;
}

/** A request matched to one of the API's routes. */
export interface MatchedRequest {
  readonly request: GatewayRequest;
  readonly route: LocalRouteModel;
  /** Decoded path parameters (`proxy` holds the greedy rest). */
  readonly pathParameters: { readonly [name: string]: string };
}

/** What the gateway asks of an authorizer. */
export interface AuthorizationInput {
  readonly matched: MatchedRequest;
  /**
   * The request's `execute-api` ARN exactly as the gateway puts it in a Lambda authorizer's event (`methodArn`,
   * `routeArn`): the ARN the authorizer's policy is checked against, so the two can never differ.
   */
  readonly requestArn: string;
  /**
   * The event a Lambda authorizer of this route receives, built by the gateway, which owns the event shapes of its
   * API type. Called only when a Lambda authorizer runs.
   */
  readonly lambdaAuthorizerEvent: (type: 'TOKEN' | 'REQUEST', identitySource: readonly string[]) => unknown;
}

/** Why a request was refused before its function ran; the gateway turns each into its API type's answer. */
export type AuthFailure =
  /** No credentials where the route needs them (missing identity source, unsigned IAM request). */
  | 'missing'
  /** Credentials present but not valid (bad signature, expired, wrong issuer or audience, `alg: none`). */
  | 'invalid'
  /** Valid credentials without one of the route's scopes. */
  | 'insufficient-scope'
  /** A Lambda authorizer denied (explicit Deny, no matching Allow, `isAuthorized: false`). */
  | 'denied'
  /** A Lambda authorizer said `Unauthorized` (threw the error named so). */
  | 'unauthorized'
  /** A Lambda authorizer failed or answered something API Gateway cannot read. */
  | 'authorizer-error';

export type AuthOutcome =
  | {
      readonly ok: true;
      /**
       * `requestContext.authorizer` as the API type puts it: HTTP `{ jwt: { claims, scopes } }`,
       * `{ lambda: context }` or `{ iam: ... }`; REST `{ claims }` or `{ principalId, ...context }`.
       */
      readonly authorizer?: { readonly [key: string]: unknown };
      /** REST IAM routes: `requestContext.identity` fields of the caller. */
      readonly identity?: { readonly [key: string]: unknown };
      /** The caller, for the access log (`$context.authorizer.principalId`, the JWT `sub`). */
      readonly principalId?: string;
      /** REST: the API key a Lambda authorizer chose (`usageIdentifierKey`). */
      readonly usageIdentifierKey?: string;
    }
  | {
      readonly ok: false;
      readonly failure: AuthFailure;
      /** What went wrong, for the gateway's answer where the API type states it, and for the local log. */
      readonly message: string;
    };

/** Decides whether a matched request may reach its function. */
export interface RouteAuthorizer {
  authorize(input: AuthorizationInput): Promise<AuthOutcome>;
}

/** A DynamoDB request a function made, as the local table endpoint received it. */
export interface TableRequest {
  /** Access key id the request was signed with: each function signs with its own. */
  readonly accessKeyId: string;
  /** `GetItem`, `Query`, ... from `X-Amz-Target`. */
  readonly operation: string;
  /** The request body, DynamoDB JSON. */
  readonly input: { readonly [key: string]: unknown };
}

/** The verdict on a DynamoDB request. */
export type TableDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /**
       * The exception DynamoDB answers with: `AccessDeniedException` (absent means this one) for an IAM denial,
       * `UnrecognizedClientException` for an access key no function signs with, `ValidationException` or
       * `UnknownOperationException` for a request DynamoDB refuses before reading it.
       */
      readonly errorType?:
        | 'AccessDeniedException'
        | 'UnrecognizedClientException'
        | 'ExpiredTokenException'
        | 'ValidationException'
        | 'UnknownOperationException';
      /** DynamoDB's AccessDeniedException message: `User: <arn> is not authorized to perform: <action> on resource: <arn> ...`. */
      readonly message: string;
      /** Which statement was missing, for the local log. */
      readonly reason: string;
    };

/** Evaluates each DynamoDB request against the calling function's role. */
export interface TableAuthorizer {
  authorize(request: TableRequest): TableDecision;
}

/** What the gateway answers. */
export interface GatewayResponse {
  readonly statusCode: number;
  /** Header names as sent; every value of a repeated header (`set-cookie`), in order. */
  readonly headers: { readonly [name: string]: readonly string[] };
  readonly body: Buffer;
}

/** What a gateway of either API type is built from. */
export interface GatewayOptions {
  readonly app: LocalAppModel;
  readonly invoker: FunctionInvoker;
  readonly authorizer: RouteAuthorizer;
  /** Milliseconds since the epoch, for throttles, quotas and latencies. @default Date.now */
  readonly now?: () => number;
  /** Where the gateway explains what a client sees only as a status (a refusal, a failed function), one line each. */
  readonly log?: (line: string) => void;
}

/**
 * One API type's gateway: matches, authorizes, throttles and invokes, and answers as that API type answers. The
 * HTTP server around it parses requests and writes the access log from `context`.
 */
export interface Gateway {
  handle(request: GatewayRequest): Promise<GatewayResult>;
}

export interface GatewayResult {
  readonly response: GatewayResponse;
  /**
   * `$context` variables of the request for the access log, by name without `$context.` (`status`,
   * `routeKey`, `integrationLatency`, `error.message`, `authorizer.error`, `identity.sourceIp`, ...); absent
   * values are logged as `-`, as API Gateway does.
   */
  readonly context: { readonly [variable: string]: string | number | undefined };
}

/** A GetSecretValue a function made, as the local Secrets Manager received it. */
export interface SecretRequest {
  /** Access key id the request was signed with: each function signs with its own. */
  readonly accessKeyId: string;
  /** The `SecretId` as sent: a name, a partial ARN or a full one. */
  readonly secretId: string;
  /** The ARN IAM evaluates: the secret's full ARN when it exists, else the ARN the `SecretId` names. */
  readonly resource: string;
  /** The secret's customer-managed key, whose `kms:Decrypt` through Secrets Manager the caller needs too. */
  readonly kmsKeyArn?: string;
  /** `VersionStage` as sent, for the `secretsmanager:VersionStage` condition key. */
  readonly versionStage?: string;
}

/** The verdict on a GetSecretValue. */
export type SecretDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** `AccessDeniedException` for an IAM (or KMS) denial, `UnrecognizedClientException` for an unknown key. */
      readonly errorType: 'AccessDeniedException' | 'UnrecognizedClientException';
      /** Secrets Manager's message. */
      readonly message: string;
      /** Which statement was missing, for the local log. */
      readonly reason: string;
    };

/** Evaluates each GetSecretValue against the calling function's role. */
export interface SecretsAuthorizer {
  authorize(request: SecretRequest): SecretDecision;
}
