import { Duration, Size } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { ThrottleOptions } from '../throttle';

/** A usage plan: the rate, burst and quota its API keys get (REST APIs only). */
export interface UsagePlanOptions {
  /**
   * Request throttling of each API key in the plan.
   *
   * @default - the stage's throttling
   */
  readonly throttle?: ThrottleOptions;
  /**
   * How many requests each API key in the plan may make per period.
   *
   * @default - no quota
   */
  readonly quota?: QuotaOptions;
  /**
   * API keys to create in the plan, by name (letters, digits, `-` and `_`). API Gateway generates each
   * key's value; read it with `aws apigateway get-api-key --include-value`, it never enters the template.
   *
   * @default - none: add keys to `ServerlessApi.usagePlans[name]` yourself
   */
  readonly apiKeys?: string[];
  /**
   * Description of the plan.
   *
   * @default - none
   */
  readonly description?: string;
}

/** A request quota per period. */
export interface QuotaOptions {
  /** Requests allowed per period. */
  readonly limit: number;
  /**
   * The period the quota counts in.
   *
   * @default apigateway.Period.DAY
   */
  readonly period?: apigateway.Period;
}

/** Sizes of the REST API's cache, in GB. */
export enum ApiCacheSize {
  /** 0.5 GB. */
  GB_0_5 = '0.5',
  /** 1.6 GB. */
  GB_1_6 = '1.6',
  /** 6.1 GB. */
  GB_6_1 = '6.1',
  /** 13.5 GB. */
  GB_13_5 = '13.5',
  /** 28.4 GB. */
  GB_28_4 = '28.4',
  /** 58.2 GB. */
  GB_58_2 = '58.2',
  /** 118 GB. */
  GB_118 = '118',
  /** 237 GB. */
  GB_237 = '237',
}

/**
 * The REST API's response cache (billed per hour by size, see https://aws.amazon.com/api-gateway/pricing/).
 * No route is cached unless it sets `cache`; cached data is always encrypted.
 */
export interface ApiCacheOptions {
  /**
   * Size of the cache.
   *
   * @default ApiCacheSize.GB_0_5
   */
  readonly size?: ApiCacheSize;
}

/**
 * Execution logging of the REST API: API Gateway's own log of each request's processing, in the log group
 * `API-Gateway-Execution-Logs_<api id>/<stage>`, which the API creates with the API's `logRetention`.
 *
 * API Gateway writes it with the account's CloudWatch role (see `ServerlessApiProps.setAccountCloudWatchRole`).
 */
export interface ExecutionLoggingOptions {
  /**
   * What is logged: `ERROR` or `INFO`.
   *
   * @default apigateway.MethodLoggingLevel.ERROR
   */
  readonly level?: apigateway.MethodLoggingLevel;
  /**
   * Whether full requests and responses are logged too. They carry tokens and personal data: only for
   * debugging, never in production.
   *
   * @default false
   */
  readonly dataTrace?: boolean;
}

/** Request values a route requires: API Gateway answers 400 when one is missing (REST APIs only). */
export interface RequiredParameters {
  /**
   * Query string parameters that must be present.
   *
   * @default - none
   */
  readonly querystrings?: string[];
  /**
   * Headers that must be present.
   *
   * @default - none
   */
  readonly headers?: string[];
}

/** Caching of one route's responses (REST APIs with `cache` only). */
export interface RouteCacheOptions {
  /** How long a response is served from the cache: 1 second to 1 hour. */
  readonly ttl: Duration;
  /**
   * Query strings and headers, besides the path parameters, that make responses differ, e.g.
   * `['querystring.limit', 'header.Accept-Language']`. A route's path parameters are always in the key,
   * and so are its authorizer's identity sources: a cached answer is never served to another caller.
   *
   * @default - the path parameters and the caller's identity only
   */
  readonly keyParameters?: string[];
}

/**
 * The features only REST APIs have. `ServerlessApiProps` extends it; each prop fails at synth on an HTTP API.
 */
export interface RestApiOptions {
  /**
   * Usage plans by name (letters, digits, `-` and `_`), each with its rate, burst, quota and API keys.
   * Routes then require an API key unless they set `apiKeyRequired: false`. REST APIs only.
   *
   * @default - no usage plans, no API keys
   */
  readonly usagePlans?: { [name: string]: UsagePlanOptions };
  /**
   * ARN of a regional AWS WAF web ACL to associate with the stage. REST APIs only.
   *
   * @default - no web ACL
   */
  readonly webAclArn?: string;
  /**
   * Responses at least this large are compressed when the client accepts it (0 to 10 MiB). REST APIs only.
   *
   * @default - responses are not compressed
   */
  readonly minCompressionSize?: Size;
  /**
   * A response cache for the routes that set `cache`. REST APIs only.
   *
   * @default - no cache
   */
  readonly cache?: ApiCacheOptions;
  /**
   * API Gateway's execution logging, on top of the access log (which is always on). REST APIs only.
   *
   * @default - no execution logging
   */
  readonly executionLogging?: ExecutionLoggingOptions;
  /**
   * Whether this stack sets the account's API Gateway CloudWatch role (`AWS::ApiGateway::Account`), which
   * REST APIs need for their access and execution logs. It is one setting per account and region: let one
   * stack own it (often the platform team's). The role and the setting are retained when the stack is
   * deleted, so other APIs keep logging. REST APIs only.
   *
   * @default false: the account's role must already be set, or the REST stage fails to deploy
   */
  readonly setAccountCloudWatchRole?: boolean;
}
