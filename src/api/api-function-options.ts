import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RouteOptions } from './route';
import { EventPublication } from '../events/event-publication';
import { FunctionDefaults } from '../functions/function-options';
import { FunctionAlarmOptions } from '../monitoring/alarm-options';

/** A route function: its handler code, the routes it serves and the table access it needs. */
export interface ApiFunctionOptions extends FunctionDefaults {
  /** Path of the TypeScript or JavaScript file with the handler, bundled with esbuild. */
  readonly entry: string;
  /**
   * Name of the exported handler function in `entry`.
   *
   * @default 'handler'
   */
  readonly handler?: string;
  /** The routes this function serves; at least one. */
  readonly routes: RouteOptions[];
  /**
   * Names of the API's `accessPatterns` the function uses. Its role may perform exactly these
   * patterns' operations, on keys of their shapes, and nothing else on the table.
   *
   * @default - no table access
   */
  readonly accessPatterns?: string[];
  /**
   * Names of the API's `queues` the function may send messages to: its role may `sqs:SendMessage` to exactly these
   * queues, and its handler finds their URLs in `SERVERLESS_API_QUEUES`.
   *
   * @default - it sends to no queue
   */
  readonly queues?: string[];
  /**
   * Concurrent executions reserved for (and limiting) this function, so one route cannot starve the
   * others or overload the table. Opt-in: reserving takes capacity from the account's pool, and an
   * account must keep 100 unreserved executions, so low-quota accounts fail to deploy with it.
   *
   * @default - no reservation: the function uses the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Extra environment variables (the table's are set by the library). Never a secret: a `SecretValue` or a
   * `{{resolve:secretsmanager:...}}` reference is refused, as CloudFormation would write its value into the function's
   * configuration; declare it in `secrets` instead.
   *
   * @default - only the table's variables
   */
  readonly environment?: { [key: string]: string };
  /**
   * Secrets the function reads at run time, by the environment variable that carries each one's ARN (never its
   * value). The role may read exactly these secrets (`secretsmanager:GetSecretValue`, and `kms:Decrypt` through
   * Secrets Manager on a customer-managed key); the handler reads a value with `getSecret(name)` from
   * `cdk-serverless-api/runtime`, cached for 5 minutes, so a rotation reaches it without a deployment.
   *
   * @default - no secrets
   */
  readonly secrets?: { [envName: string]: secretsmanager.ISecret };
  /**
   * Events the function puts on the API's event bus (`events.bus`, the account's default bus unless set): its role may
   * `events:PutEvents` on exactly that bus with exactly these sources and detail types, and its handler publishes with
   * the runtime toolkit's `EventBus.publish`.
   *
   * @default - it publishes no events
   */
  readonly publishes?: EventPublication[];
  /**
   * A description of the function.
   *
   * @default - the function's routes
   */
  readonly description?: string;
  /**
   * This function's alarms, signal by signal over the API's `alarms.functions` (e.g. a higher `durationP99` for a
   * slow report).
   *
   * @default - the API's `alarms.functions`
   */
  readonly alarms?: FunctionAlarmOptions;
}
