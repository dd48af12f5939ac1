import * as logs from 'aws-cdk-lib/aws-logs';
import { ApiFunctionOptions } from './api/api-function-options';
import { ApiType } from './api/api-type';
import { ApiAuthorization } from './api/authorization/api-authorization';
import { CorsOptions } from './api/cors';
import { ApiDomainOptions } from './api/domain/domain-options';
import { RestApiOptions } from './api/rest/rest-options';
import { ThrottleOptions } from './api/throttle';
import { EventsOptions } from './events/event-options';
import { ApiStacks } from './functions/api-stacks';
import { FunctionDefaults } from './functions/function-options';
import { AlarmOptions } from './monitoring/alarm-options';
import { BudgetOptions, CostAllocationTag } from './monitoring/budget-options';
import { QueueOptions } from './queues/queue-options';
import { TableStreamOptions } from './streams/stream-options';
import { AccessPattern } from './table/access-pattern';
import { PartitionIsolation } from './table/partition-isolation';
import { ExistingTableOptions, TableOptions } from './table/table-options';

/** Properties of a `ServerlessApi`. */
export interface ServerlessApiProps extends RestApiOptions {
  /**
   * The kind of API: an HTTP API, or a REST API for the features only REST has (usage plans and API keys,
   * request validation, WAF, caching, compression, token authorizers). Asking for a feature the chosen kind
   * lacks fails at synth.
   *
   * @default ApiType.HTTP
   */
  readonly apiType?: ApiType;
  /**
   * Who may call the API's routes: `ApiAuthorization.jwt()` (HTTP APIs), `cognito()`, `lambdaRequest()`,
   * `lambdaToken()` (REST APIs) or `iam()`. Every route requires it unless the route names its own; a route is
   * public only if it says `authorization: ApiAuthorization.none()`.
   */
  readonly authorization: ApiAuthorization;
  /**
   * The route functions by name (letters and digits, starting with a letter), each with its routes.
   *
   * @default - none; add them with `addFunction()`
   */
  readonly functions?: { [name: string]: ApiFunctionOptions };
  /**
   * Queues of slow work, by name (letters and digits, starting with a letter), each with the worker that takes its
   * messages, named after it. Route functions and workers send to the queues they name in their own `queues`.
   *
   * @default - no queues
   */
  readonly queues?: { [name: string]: QueueOptions };
  /**
   * Name of the API.
   *
   * @default - a name unique to the construct's path in the app
   */
  readonly apiName?: string;
  /**
   * A custom domain name for the API (Regional, TLS 1.2 or newer), with its certificate, base paths and DNS
   * records, and optionally the default `execute-api` endpoint turned off.
   *
   * @default - no custom domain: the API answers at its `execute-api` URL only
   */
  readonly domain?: ApiDomainOptions;
  /**
   * Stage-wide request throttling, protecting the functions and the table; routes may override it.
   *
   * @default - 100 requests per second, bursts of 200
   */
  readonly throttle?: ThrottleOptions;
  /**
   * Which web origins may call the API from a browser. API Gateway's own error responses carry the CORS
   * headers too. On a REST API the functions' responses must carry them as well (proxy integrations pass
   * responses through); the settings reach each function in `SERVERLESS_API_CORS`.
   *
   * @default - no CORS: browsers on other origins cannot call the API
   */
  readonly cors?: CorsOptions;
  /**
   * The ways the application reads and writes the table, by name (letters and digits, starting with a
   * letter). Functions name the patterns they use in `accessPatterns`; their roles, the table's
   * indexes and the handlers' key builders all derive from these declarations.
   *
   * @default - none: no function can touch the table
   */
  readonly accessPatterns?: { [name: string]: AccessPattern };
  /**
   * Whether functions with different writes may share a writable partition prefix. IAM bounds partition keys, not
   * sort keys, so functions writing one prefix can overwrite each other's items; `STRICT` refuses that at synth.
   *
   * @default PartitionIsolation.SHARED
   */
  readonly partitionIsolation?: PartitionIsolation;
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
   * How long the functions' logs and the API access log are kept: one of the periods CloudWatch Logs offers, never
   * unbounded.
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
  /**
   * The cost-allocation tag put on every resource the API creates, so Cost Explorer and `budget` can count the API's
   * costs once the tag is activated in the Billing console.
   *
   * @default CostAllocationTag.of('serverless-api'): key `serverless-api`, valued with `apiName`
   */
  readonly costAllocationTag?: CostAllocationTag;
  /**
   * A monthly AWS Budgets cost budget over the resources carrying `costAllocationTag`, notifying the alarm topic (or
   * its own `topic` and `emails`) as actual or forecasted cost passes shares of its limit.
   *
   * @default - no budget
   */
  readonly budget?: BudgetOptions;
  /**
   * The event bus the functions publish to (their `publishes`) and the workers its rules invoke.
   *
   * @default - the account's default bus for functions that publish, and no event workers
   */
  readonly events?: EventsOptions;
  /**
   * The table's stream and the workers consuming it. The table gets a stream only with this.
   *
   * @default - no stream
   */
  readonly tableStream?: TableStreamOptions;
  /**
   * How the API's resources are spread over CloudFormation stacks (500 resources each): the route functions, with
   * their routes and alarms, can go to nested stacks.
   *
   * @default ApiStacks.auto(): one stack while the functions of `functions` can fit it, nested stacks when they cannot
   */
  readonly stacks?: ApiStacks;
}
