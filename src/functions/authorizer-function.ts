import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { BundledFunction, resolveFunctionSettings, sourceMapEnvironment } from './bundled-function';
import { FunctionDefaults } from './function-options';
import { secretEnvironment, secretStatements } from './function-secrets';
import { SERVICE_NAME_ENV } from '../shared/env';

/** API Gateway waits at most 10 seconds for a Lambda authorizer: a longer timeout only costs money. */
export const AUTHORIZER_MAX_TIMEOUT = Duration.seconds(10);

/** The timeout an authorizer runs with, or is waited for: its own when shorter, else API Gateway's limit. */
export function authorizerTimeout(timeout: Duration | undefined): Duration {
  return timeout && !timeout.isUnresolved() && timeout.toMilliseconds() < AUTHORIZER_MAX_TIMEOUT.toMilliseconds()
    ? timeout
    : AUTHORIZER_MAX_TIMEOUT;
}

export interface AuthorizerFunctionProps {
  readonly entry: string;
  /**
   * The caller's own variables, checked by `validateFunctionSecrets`.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };
  /**
   * The secrets the authorizer reads, by the variable carrying each one's ARN.
   *
   * @default - none
   */
  readonly secrets?: { [envName: string]: secretsmanager.ISecret };
  /**
   * Where the authorizer is declared in the props, for messages.
   *
   * @default 'authorization'
   */
  readonly prop?: string;
  /** The name the authorizer's log lines carry (`POWERTOOLS_SERVICE_NAME`). */
  readonly serviceName: string;
  /** The API's function defaults; the timeout is capped at `AUTHORIZER_MAX_TIMEOUT`. */
  readonly defaults?: FunctionDefaults;
  readonly logRetention: logs.RetentionDays;
  readonly description: string;
}

/**
 * A Lambda authorizer bundled from its entry like a route function: its own log group and a role that
 * may only write there, send traces while tracing is on and read the secrets it declares (it needs no table
 * access). Its settings follow the API's `functionDefaults`.
 */
export class AuthorizerFunction extends BundledFunction {
  constructor(scope: Construct, id: string, props: AuthorizerFunctionProps) {
    const defaults = props.defaults ?? {};
    const settings = resolveFunctionSettings({}, defaults);
    super(scope, id, {
      prop: props.prop ?? 'authorization',
      entry: props.entry,
      settings: { ...settings, timeout: authorizerTimeout(defaults.timeout) },
      statements: secretStatements(props.secrets),
      environment: {
        ...sourceMapEnvironment(settings.bundling),
        [SERVICE_NAME_ENV]: props.serviceName,
        ...props.environment,
        ...secretEnvironment(props.secrets),
      },
      description: props.description,
      roleDescription: `Execution role of ${props.description}`,
      logRetention: props.logRetention,
      noDeadLetterQueueReason:
        'API Gateway invokes the authorizer synchronously: a failure denies the request, nothing is queued.',
    });
  }
}
