import { CfnResource, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ApiAuthorization } from './api/authorization';
import { HTTP_API_INTEGRATION_TIMEOUT, HttpApiBuilder } from './api/http-api-builder';
import { ThrottleOptions } from './api/route';
import {
  routeKey,
  routeShape,
  validateApiAuthorization,
  validateRoute,
  validateThrottle,
} from './api/route-validation';
import {
  ApiFunction,
  FunctionContext,
  validateFunctionDefaults,
  validateFunctionOptions,
} from './functions/api-function';
import { ApiFunctionOptions, FunctionDefaults, IApiFunction } from './functions/function-options';
import { AlarmOptions } from './monitoring/alarm-options';
import {
  alarmThresholds,
  AlarmThresholds,
  apiLatencyAlarm,
  apiServerErrorAlarm,
  functionHealthAlarm,
  tableThrottleAlarm,
  validateAlarmOptions,
} from './monitoring/alarm-specs';
import { AlarmFactory } from './private/alarm-factory';
import { EXECUTE_API_INVOKE_ACTIONS } from './private/iam-actions';
import { checkPattern, fail } from './private/validation';
import {
  TABLE_ACCESS_PATTERNS_ENV,
  TABLE_NAME_ENV,
  TABLE_PARTITION_KEY_ENV,
  TABLE_SORT_KEY_ENV,
  TABLE_TTL_ATTRIBUTE_ENV,
} from './shared/env';
import { ACCESS_PATTERNS_METADATA_KEY, AccessPatternRow } from './shared/metadata';
import { resolveAccessPatterns, ResolvedAccessPattern, validateAccessPatterns } from './table/access-model';
import { AccessPattern } from './table/access-pattern';
import { buildTable, TableModel, tableKeyModel, validateTableProps } from './table/table-builder';
import { TableEncryptionType } from './table/table-encryption';
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
   * Alarms on the functions, the API and the table.
   *
   * @default - all alarms on, with the thresholds documented in `AlarmOptions`, no actions
   */
  readonly alarms?: AlarmOptions;
}

const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/**
 * A production-grade serverless API: API Gateway HTTP API -> Lambda -> DynamoDB.
 *
 * Routes are authorized unless marked public, throttled at the stage and optionally per route;
 * each function's role reaches only the table items its routes need (`dynamodb:LeadingKeys`);
 * the table is on-demand with point-in-time recovery and TTL; every log group has a bounded
 * retention; alarms watch errors, throttles and latency at each layer.
 *
 * @example
 * new ServerlessApi(this, 'Api', {
 *   authorization: ApiAuthorization.jwt({ issuer: 'https://issuer.example.com', audience: ['my-client'] }),
 *   accessPatterns: {
 *     listTasks: AccessPattern.query({ partitionKey: 'PROJECT#{projectId}', sortKeyPrefix: 'TASK#' }),
 *   },
 *   functions: {
 *     tasks: {
 *       entry: 'src/handlers/tasks.ts',
 *       routes: [{ method: HttpMethod.GET, path: '/projects/{projectId}/tasks' }],
 *       accessPatterns: ['listTasks'],
 *     },
 *   },
 * });
 */
export class ServerlessApi extends Construct {
  /** Environment variable holding the table name in every route function. */
  public static readonly TABLE_NAME_ENV = TABLE_NAME_ENV;
  /** Environment variable holding the table's partition key attribute name. */
  public static readonly TABLE_PARTITION_KEY_ENV = TABLE_PARTITION_KEY_ENV;
  /** Environment variable holding the table's sort key attribute name. */
  public static readonly TABLE_SORT_KEY_ENV = TABLE_SORT_KEY_ENV;
  /** Environment variable holding the name of the TTL attribute (epoch seconds). */
  public static readonly TABLE_TTL_ATTRIBUTE_ENV = TABLE_TTL_ATTRIBUTE_ENV;
  /** Environment variable holding the JSON descriptors of the access patterns a function uses. */
  public static readonly TABLE_ACCESS_PATTERNS_ENV = TABLE_ACCESS_PATTERNS_ENV;
  /** Template metadata key, on the HTTP API resource, of the API's access-pattern table. */
  public static readonly ACCESS_PATTERNS_METADATA_KEY = ACCESS_PATTERNS_METADATA_KEY;

  /** The HTTP API. */
  public readonly httpApi: apigwv2.IHttpApi;
  /** The URL of the API's default stage. */
  public readonly url: string;
  /** The table. */
  public readonly table: dynamodb.ITableV2;
  /** The API's access log group (JSON lines). */
  public readonly accessLogGroup: logs.ILogGroup;
  /** The role API Gateway assumes to invoke the route functions and Lambda authorizers. */
  public readonly invokeRole: iam.IRole;
  /** The user pool the API created for its `ApiAuthorization.cognito()`; undefined when it created none. */
  public readonly userPool?: cognito.IUserPool;
  /** The app client of `userPool` (no secret, SRP sign-in); undefined when the API created no pool. */
  public readonly userPoolClient?: cognito.IUserPoolClient;

  private readonly props: ServerlessApiProps;
  private readonly tableModel: TableModel;
  private readonly http: HttpApiBuilder;
  private iamGrantChecked = false;
  private readonly functionContext: FunctionContext;
  private readonly alarmFactory?: AlarmFactory;
  private readonly thresholds: AlarmThresholds;
  private readonly declaredFunctions: ApiFunction[] = [];
  private readonly declaredRoutes: { shape: string; prop: string }[] = [];
  private readonly apiAlarms: cloudwatch.IAlarm[] = [];
  private readonly functionsScope: Construct;

  constructor(scope: Construct, id: string, props: ServerlessApiProps) {
    super(scope, id);
    this.props = props;

    // Validate everything before building anything.
    validateApiAuthorization('authorization', props.authorization);
    validateThrottle('throttle', props.throttle);
    const accessPatterns = props.accessPatterns ?? {};
    validateAccessPatterns(accessPatterns, props.table, props.existingTable);
    validateTableProps(props.table, props.existingTable, accessPatterns);
    if (
      props.table?.encryption?.type === TableEncryptionType.CUSTOMER_MANAGED &&
      Token.isUnresolved(Stack.of(this).region)
    ) {
      fail(
        'table.encryption',
        "be used in a stack with a region (`env: { region }`) when it is customer-managed: the table's replica is keyed by region",
        'an environment-agnostic stack',
      );
    }
    validateAlarmOptions(props.alarms);
    if (props.logRetention === logs.RetentionDays.INFINITE) {
      fail('logRetention', 'be bounded: logs kept forever are paid for forever', 'RetentionDays.INFINITE');
    }
    const tableKeys = tableKeyModel(props.table, props.existingTable, accessPatterns);
    this.functionContext = {
      integrationTimeout: HTTP_API_INTEGRATION_TIMEOUT,
      defaults: props.functionDefaults ?? {},
      table: tableKeys,
      accessPatterns: resolveAccessPatterns(accessPatterns, tableKeys),
    };
    validateFunctionDefaults('functionDefaults', props.functionDefaults ?? {}, this.functionContext);
    const functions = Object.entries(props.functions ?? {});
    functions.forEach(([name, options]) => this.validateFunction(`functions.${name}`, name, options));

    // Build the parts.
    this.tableModel = buildTable(this, props.table, props.existingTable, accessPatterns);
    this.table = this.tableModel.table;
    this.http = new HttpApiBuilder(this, {
      apiName: props.apiName ?? Names.uniqueResourceName(this, { maxLength: 128 }),
      throttle: props.throttle,
      logRetention: this.logRetention,
      functionDefaults: props.functionDefaults,
    });
    // Created up front, so `userPool` is there even before a route uses the authorization.
    const created = this.http.authorizers.createdUserPool(props.authorization);
    this.userPool = created?.userPool;
    this.userPoolClient = created?.userPoolClient;
    this.httpApi = this.http.api;
    this.url = this.http.stage.url;
    this.accessLogGroup = this.http.accessLogGroup;
    this.invokeRole = this.http.invokeRole;
    (this.http.api.node.defaultChild as CfnResource).addMetadata(
      ACCESS_PATTERNS_METADATA_KEY,
      Lazy.any({ produce: () => this.accessPatternTable() }),
    );
    this.functionsScope = new Construct(this, 'Functions');
    this.thresholds = alarmThresholds(props.alarms);
    if (props.alarms?.enabled ?? true) {
      this.alarmFactory = new AlarmFactory(props.alarms?.actions);
      const alarms = new Construct(this, 'Alarms');
      this.apiAlarms.push(
        this.alarmFactory.create(alarms, 'ApiServerErrors', apiServerErrorAlarm(this.http.api, this.thresholds)),
        this.alarmFactory.create(alarms, 'ApiLatency', apiLatencyAlarm(this.http.api, this.thresholds)),
        this.alarmFactory.create(alarms, 'TableThrottles', tableThrottleAlarm(this.table, this.thresholds)),
      );
    }

    // Wire the functions to their routes.
    functions.forEach(([name, options]) => this.buildFunction(name, options));

    // Checked at synth, after any addFunction(): without a function the invoke role has nothing to invoke.
    this.node.addValidation({
      validate: () =>
        this.declaredFunctions.length
          ? []
          : ['`functions` must declare at least one function, in props or with addFunction(), got: {}'],
    });
  }

  /**
   * Adds a route function with its routes. Validated exactly like the `functions` prop.
   *
   * @param name unique name of the function: letters and digits, starting with a letter
   */
  public addFunction(name: string, options: ApiFunctionOptions): IApiFunction {
    this.validateFunction(`functions.${name}`, name, options);
    return this.buildFunction(name, options);
  }

  /**
   * Lets `grantee` call the routes authorized with `ApiAuthorization.iam()` (`execute-api:Invoke` on exactly
   * those routes, including routes added later with `addFunction()`). Fails at synth if there is none.
   *
   * Each path parameter becomes a `*` in the route's ARN, which cdk-nag's AwsSolutions-IAM5 reports on the
   * grantee's policy.
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    if (!this.iamGrantChecked) {
      this.iamGrantChecked = true;
      this.node.addValidation({
        validate: () =>
          this.http.hasIamRoutes
            ? []
            : [
                '`grantInvoke()` must be called on an API with a route authorized by ApiAuthorization.iam() (API-wide or per route), got: no such route',
              ],
      });
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...EXECUTE_API_INVOKE_ACTIONS],
      resourceArns: this.http.iamRouteArns(),
    });
  }

  /** The route functions, in the order they were declared. */
  public get functions(): IApiFunction[] {
    return [...this.declaredFunctions];
  }

  /** The alarms on the API and the table (each function carries its own alarm). */
  public get alarms(): cloudwatch.IAlarm[] {
    return [...this.apiAlarms];
  }

  private get logRetention(): logs.RetentionDays {
    return this.props.logRetention ?? logs.RetentionDays.ONE_MONTH;
  }

  /** One row per access pattern: what it reads or writes, how, and which functions use it. */
  private accessPatternTable(): AccessPatternRow[] {
    return [...this.functionContext.accessPatterns.values()].map((pattern: ResolvedAccessPattern) => ({
      name: pattern.name,
      ...(pattern.pattern.description ? { description: pattern.pattern.description } : {}),
      operation: pattern.operation,
      ...(pattern.indexName ? { index: pattern.indexName } : {}),
      keyCondition: pattern.keyCondition,
      ...(pattern.leadingKeys ? { leadingKeys: pattern.leadingKeys } : {}),
      actions: [...pattern.actions],
      functions: this.declaredFunctions.filter((fn) => fn.accessPatterns.includes(pattern.name)).map((fn) => fn.name),
    }));
  }

  private validateFunction(prop: string, name: string, options: ApiFunctionOptions): void {
    checkPattern('functions', name, FUNCTION_NAME, 'have names of 1 to 64 letters and digits, starting with a letter');
    if (this.declaredFunctions.some((fn) => fn.name === name)) {
      fail('functions', 'have unique names', name);
    }
    validateFunctionOptions(prop, options, this.functionContext);
    options.routes.forEach((route, i) => {
      const at = `${prop}.routes[${i}]`;
      validateRoute(at, route, this.props.authorization);
      const shape = routeShape(route);
      const clash = this.declaredRoutes.find((r) => r.shape === shape);
      if (clash) {
        throw new Error(
          `\`${at}\` duplicates \`${clash.prop}\`: ${JSON.stringify(routeKey(route))} is declared twice (path parameter names do not make routes differ)`,
        );
      }
      this.declaredRoutes.push({ shape, prop: at });
    });
  }

  private buildFunction(name: string, options: ApiFunctionOptions): IApiFunction {
    const description = options.routes.map(routeKey).join(', ');
    const fn = new ApiFunction(this.functionsScope, name, {
      name,
      options,
      defaults: this.props.functionDefaults,
      table: this.tableModel,
      accessPatterns: (options.accessPatterns ?? []).map((pattern) =>
        this.functionContext.accessPatterns.get(pattern)!,
      ),
      logRetention: this.logRetention,
      description,
    });
    const integration = this.http.addIntegration(fn, fn.lambdaFunction);
    options.routes.forEach((route) => this.http.addRoute(route, integration, this.props.authorization));
    if (this.alarmFactory) {
      fn.alarm = this.alarmFactory.create(fn, 'Alarm', functionHealthAlarm(fn.lambdaFunction, name, this.thresholds));
    }
    this.declaredFunctions.push(fn);
    return fn;
  }
}
