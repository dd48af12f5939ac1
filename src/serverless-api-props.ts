import * as logs from 'aws-cdk-lib/aws-logs';
import { ApiAuthorization } from './api/authorization';
import { ThrottleOptions } from './api/route';
import { ApiFunctionOptions, FunctionDefaults } from './functions/function-options';
import { AlarmOptions } from './monitoring/alarm-options';
import { AccessPattern } from './table/access-pattern';
import { ExistingTableOptions, TableOptions } from './table/table-options';

/** Properties of a `ServerlessApi`. */
export interface ServerlessApiProps {
  /**
   * Who may call the API's routes: `ApiAuthorization.jwt()`, `cognito()`, `lambdaRequest()` or `iam()`. Every route
   * requires it unless the route names its own; a route is public only if it says
   * `authorization: ApiAuthorization.none()`.
   */
  readonly authorization: ApiAuthorization;
  /**
   * The route functions by name (letters and digits, starting with a letter), each with its routes.
   *
   * @default - none; add them with `addFunction()`
   */
  readonly functions?: { [name: string]: ApiFunctionOptions };
  /**
   * Name of the API.
   *
   * @default - a name unique to the construct's path in the app
   */
  readonly apiName?: string;
  /**
   * Stage-wide request throttling, protecting the functions and the table; routes may override it.
   *
   * @default - 100 requests per second, bursts of 200
   */
  readonly throttle?: ThrottleOptions;
  /**
   * The ways the application reads and writes the table, by name (letters and digits, starting with a
   * letter). Functions name the patterns they use in `accessPatterns`; their roles, the table's
   * indexes and the handlers' key builders all derive from these declarations.
   *
   * @default - none: no function can touch the table
   */
  readonly accessPatterns?: { [name: string]: AccessPattern };
  /**
   * The table the API creates.
   *
   * @default - an on-demand table with keys `PK`/`SK`, TTL on `expiresAt`, point-in-time recovery,
   * deletion protection, AWS-owned encryption, retained on delete
   */
  readonly table?: TableOptions;
  /**
   * An existing table to use instead of creating one.
   *
   * @default - a new table is created from `table`
   */
  readonly existingTable?: ExistingTableOptions;
  /**
   * Lambda settings for every function that does not set its own.
   *
   * @default - Node.js 24, ARM64, 512 MiB, 10 seconds
   */
  readonly functionDefaults?: FunctionDefaults;
  /**
   * How long the functions' logs and the API access log are kept. Never unbounded.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Alarms on the functions, the API and the table, and where they notify.
   *
   * @default - the alarms and thresholds documented in `AlarmOptions`, rolled up into one composite alarm
   * that notifies a new encrypted SNS topic
   */
  readonly alarms?: AlarmOptions;
  /**
   * Whether to create a CloudWatch dashboard for the API: one row per layer (API, functions, table) with the
   * metrics the alarms watch and their thresholds drawn on the graphs. CloudWatch charts dashboards beyond
   * the first three of an account.
   *
   * @default true
   */
  readonly dashboard?: boolean;
}
