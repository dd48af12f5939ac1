import { Annotations, Names, Stack, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ApiCommonProps } from './api/api-builder';
import { apiTypeOf, RouteFeatureContext, validateApiFeatures } from './api/api-features';
import { ApiFunctionOptions } from './api/api-function-options';
import { ApiType } from './api/api-type';
import { restCorsEnvironment, validateCors } from './api/cors-config';
import { DomainModel, resolveDomain } from './api/domain/domain-model';
import { HTTP_API_INTEGRATION_TIMEOUT } from './api/http/http-api-builder';
import { REST_API_INTEGRATION_TIMEOUT } from './api/rest/rest-api-builder';
import { pathResourceCount, resolvePathStackCount } from './api/rest/rest-path-stacks';
import { checkSiblingVariables, PathVariable, pathVariables } from './api/rest/rest-path-variables';
import { routeKey, routeShape, validateApiAuthorization, validateRoute } from './api/route-validation';
import { validateThrottle } from './api/throttle-config';
import { EventsModel, resolveEventBus, resolveEvents } from './events/event-model';
import { FunctionSettings } from './functions/bundled-function';
import { requireBundler } from './functions/bundling/bundler';
import { resolveStackCount } from './functions/function-stacks';
import {
  FunctionContext,
  integrationTimeoutLimit,
  validateFunctionDefaults,
  validateFunctionOptions,
  WORKER_TIMEOUT_LIMIT,
} from './functions/function-validation';
import { WorkerModel } from './functions/worker-function';
import { WorkerOptions } from './functions/worker-options';
import { tableAlarmNames } from './monitoring/alarm-specs';
import {
  AlarmThresholds,
  FunctionThresholds,
  functionThresholds,
  resolveAlarmThresholds,
  validateConcurrencyAlarm,
  validateFunctionAlarms,
} from './monitoring/alarm-thresholds';
import { capacityAlarmName, validateCapacityAlarms } from './monitoring/capacity-alarms';
import { CostTag, resolveCostTag } from './monitoring/cost-allocation-tag';
import { validateBudget } from './monitoring/cost-budget';
import { CostControls } from './monitoring/cost-controls';
import { systemErrorOperations } from './monitoring/metrics';
import { validateQueueAlarms } from './monitoring/queue-thresholds';
import { AlarmFactory } from './private/alarm-factory';
import { checkOneOf, checkPattern, fail, IDENTIFIER_NAME, IDENTIFIER_NAME_RULE, isLiteral } from './private/validation';
import { QueueModel, queueKinds, resolveQueue } from './queues/queue-model';
import { ServerlessApiProps } from './serverless-api-props';
import { resolveTableStream, TableStreamModel } from './streams/stream-model';
import { resolveAccessPatterns, ResolvedAccessPattern, validateAccessPatterns } from './table/access-model';
import { hotPartitionWarnings } from './table/hot-partitions';
import { PartitionIsolation } from './table/partition-isolation';
import { TableKeyModel, tableKeyModel, validateTableProps } from './table/table-builder';
import { CapacityLimit, capacityLimits } from './table/table-capacity';
import { TableEncryptionType } from './table/table-encryption';

/**
 * The retention periods CloudWatch Logs accepts, in days: `logs.RetentionDays` but the unbounded one
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).
 */
const LOG_RETENTION_DAYS: number[] = Object.values(logs.RetentionDays).filter(
  (days): days is number => typeof days === 'number' && days !== logs.RetentionDays.INFINITE,
);

/** A route function, checked and resolved: what `ServerlessApi` builds it from. */
export interface FunctionModel {
  readonly name: string;
  /** Where it is declared, for messages: `functions.<name>`. */
  readonly prop: string;
  readonly options: ApiFunctionOptions;
  /** Its runtime, memory, timeout, bundling and observability: its own over the API's `functionDefaults`. */
  readonly settings: FunctionSettings;
  /** The access patterns it uses, bound to the table. */
  readonly accessPatterns: ResolvedAccessPattern[];
  /** Its own `alarms` over the API's `alarms.functions`. */
  readonly thresholds: FunctionThresholds;
  /** Its routes, as API Gateway keys them: `GET /items/{id}, POST /items`. */
  readonly description: string;
}

/**
 * Everything `ServerlessApi` builds, checked and resolved from its props once, before anything is built: the kind
 * of API, the table's keys, the access patterns, the alarm thresholds and names, each function. A bad prop fails
 * here with its name; building never checks again. Functions added later with `addFunction()` go through the same
 * checks, against the functions and routes already declared.
 */
export class ServerlessApiModel implements CostControls {
  public readonly apiType: ApiType;
  /** The custom domain name; undefined without `domain`. */
  public readonly domain?: DomainModel;
  /** Names the API, its alarms and its dashboard. */
  public readonly apiName: string;
  public readonly logRetention: logs.RetentionDays;
  public readonly tableKeys: TableKeyModel;
  /** What the table's consumption is measured against: its provisioned capacity or on-demand maximums. */
  public readonly capacityLimits: CapacityLimit[];
  /** What each route function is checked against: the API's limits, defaults, table keys and access patterns. */
  public readonly functionContext: FunctionContext;
  /** What each worker is checked against: the route functions' context, with Lambda's own timeout and no caller. */
  public readonly workerContext: FunctionContext;
  public readonly alarmThresholds: AlarmThresholds;
  /** The table operations the access patterns use, whose system errors are watched. */
  public readonly operations: string[];
  /** The functions of the `functions` prop. */
  public readonly functions: FunctionModel[];
  /** The queues of the `queues` prop, with their workers. */
  public readonly queues: QueueModel[];
  /** Whether a route of the `functions` prop asks for REST request validation. */
  public readonly validatesRequests: boolean;
  /** The API's event bus and its event workers. */
  public readonly events: EventsModel;
  /** The table's stream and its workers; undefined without `tableStream`. */
  public readonly tableStream?: TableStreamModel;
  /** The cost-allocation tag on every resource of the API; undefined when turned off. */
  public readonly costTag?: CostTag;
  /** The budget over the API's tag, but for the alarm topic it notifies by default; undefined without `budget`. */
  public readonly budget?: CostControls['budget'];
  /** How many nested stacks the route functions hash into; 0 keeps them in the API's stack. */
  public readonly stackCount: number;
  /** How many nested stacks a REST API's path resources hash into; 0 keeps them in the API's stack. */
  public readonly pathStackCount: number;

  private readonly routeFeatures: RouteFeatureContext;
  /** Where each route function and worker name is declared: one namespace for both. */
  private readonly functionNames = new Map<string, string>();
  private readonly routes: { shape: string; prop: string }[] = [];
  /** The variable path parts of a REST API's routes so far, which must agree level by level. */
  private readonly pathVariables: PathVariable[] = [];

  constructor(
    private readonly scope: Construct,
    private readonly props: ServerlessApiProps,
  ) {
    validateApiAuthorization('authorization', props.authorization);
    validateApiFeatures(props);
    validateCors('cors', props.cors);
    this.apiType = apiTypeOf(props);
    const rest = this.apiType === ApiType.REST;
    this.domain = resolveDomain(scope, props.domain, this.apiType);
    this.routeFeatures = {
      apiType: this.apiType,
      hasUsagePlans: Object.keys(props.usagePlans ?? {}).length > 0,
      hasCache: props.cache !== undefined,
      hasCors: props.cors !== undefined,
    };
    validateThrottle('throttle', props.throttle);

    const accessPatterns = props.accessPatterns ?? {};
    const isolations = Object.values(PartitionIsolation);
    checkOneOf(
      'partitionIsolation',
      props.partitionIsolation,
      isolations,
      `be a PartitionIsolation (${isolations.join(', ')})`,
    );
    validateAccessPatterns(accessPatterns, props.table, props.existingTable);
    validateTableProps(props.table, props.existingTable, accessPatterns);
    if (
      props.table?.encryption?.type === TableEncryptionType.CUSTOMER_MANAGED &&
      Token.isUnresolved(Stack.of(scope).region)
    ) {
      fail(
        'table.encryption',
        "be used in a stack with a region (`env: { region }`) when it is customer-managed: the table's replica is keyed by region",
        'an environment-agnostic stack',
      );
    }
    this.tableKeys = tableKeyModel(props.table, props.existingTable, accessPatterns);

    if (props.logRetention === logs.RetentionDays.INFINITE) {
      fail('logRetention', 'be bounded: logs kept forever are paid for forever', 'RetentionDays.INFINITE');
    }
    if (isLiteral(props.logRetention) && !LOG_RETENTION_DAYS.includes(props.logRetention!)) {
      fail(
        'logRetention',
        `be one of the retention periods CloudWatch Logs accepts (logs.RetentionDays), in days: ${LOG_RETENTION_DAYS.join(', ')}`,
        props.logRetention,
      );
    }
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    if (props.apiName === '') fail('apiName', 'not be empty: it names the API, its alarms and its dashboard', '');
    this.apiName = props.apiName ?? Names.uniqueResourceName(scope, { maxLength: 128 });
    this.alarmThresholds = resolveAlarmThresholds(props.alarms);
    this.costTag = resolveCostTag(props.costAllocationTag, this.apiName);
    validateBudget(props.budget, { tag: this.costTag, hasAlarmTopic: props.alarms?.enabled ?? true });
    this.budget = props.budget && { apiName: this.apiName, budget: props.budget, tag: this.costTag! };
    // An existing table's billing is not the API's to know: it gets no capacity alarms.
    this.capacityLimits = props.existingTable
      ? []
      : capacityLimits(
          props.table?.billing,
          this.tableKeys.indexes.map((index) => index.indexName),
        );
    validateCapacityAlarms(
      props.alarms?.table,
      this.capacityLimits,
      this.alarmThresholds.table,
      props.alarms?.enabled ?? true,
    );
    if (!Token.isUnresolved(this.apiName)) {
      // Function alarm names cannot reach the limit (64-character function names); index names can.
      for (const index of [undefined, ...this.tableKeys.indexes.map((i) => i.indexName)]) {
        for (const name of tableAlarmNames(index)) AlarmFactory.alarmName(this.apiName, name);
      }
      for (const limit of this.capacityLimits) AlarmFactory.alarmName(this.apiName, capacityAlarmName(limit));
    }

    const resolvedPatterns = resolveAccessPatterns(accessPatterns, this.tableKeys);
    for (const warning of hotPartitionWarnings(resolvedPatterns.values())) {
      Annotations.of(scope).addWarningV2('cdk-serverless-api:hotPartition', warning);
    }
    this.operations = systemErrorOperations([...resolvedPatterns.values()].flatMap((pattern) => [...pattern.actions]));
    this.functionContext = {
      timeout: integrationTimeoutLimit(rest ? REST_API_INTEGRATION_TIMEOUT : HTTP_API_INTEGRATION_TIMEOUT),
      hasCaller: true,
      apiEnvironment: rest ? restCorsEnvironment(props.cors) : {},
      defaults: props.functionDefaults ?? {},
      table: this.tableKeys,
      accessPatterns: resolvedPatterns,
      // Known before any function is checked: route functions and workers name the queues they send to.
      queues: queueKinds(props.queues ?? {}),
    };
    this.workerContext = {
      ...this.functionContext,
      timeout: WORKER_TIMEOUT_LIMIT,
      hasCaller: false,
      apiEnvironment: {},
    };
    validateFunctionDefaults('functionDefaults', props.functionDefaults ?? {}, this.functionContext);
    validateQueueAlarms('alarms.queues', props.alarms?.queues);
    const queueAlarms = { api: props.alarms?.queues, on: props.alarms?.enabled ?? true };
    this.queues = Object.entries(props.queues ?? {}).map(([name, options]) =>
      resolveQueue(name, options, (prop, worker) => this.addWorker('queues', name, prop, worker), queueAlarms),
    );
    const functions = Object.entries(props.functions ?? {});
    this.functions = functions.map(([name, options]) => this.addFunction(name, options));
    this.validatesRequests = functions.some(([, fn]) =>
      fn.routes.some((route) => route.requestModel !== undefined || route.requiredParameters !== undefined),
    );
    this.events = resolveEvents(props.events, resolveEventBus(props.events, Stack.of(scope)), (name, prop, worker) =>
      this.addWorker('events.workers', name, prop, worker),
    );
    this.tableStream = resolveTableStream(props.tableStream, props.existingTable, (name, prop, worker) =>
      this.addWorker('tableStream.workers', name, prop, worker),
    );
    const paths = this.functions.flatMap((fn) => fn.options.routes.map((route) => route.path));
    this.stackCount = resolveStackCount('stacks', props.stacks, !rest, {
      routeCounts: this.functions.map((fn) => fn.options.routes.length),
      queues: this.queues.length,
      workers: this.functionNames.size - this.functions.length,
      pathResources: rest ? pathResourceCount(paths) : 0,
    });
    this.pathStackCount = rest ? resolvePathStackCount(this.stackCount, paths, props.cors !== undefined) : 0;
  }

  /** What either API builder takes: the API-wide props, resolved. */
  public get apiBuilderProps(): ApiCommonProps {
    const { authorization, throttle, functionDefaults, cors } = this.props;
    const { apiName, logRetention, domain } = this;
    return { apiName, logRetention, domain, authorization, throttle, functionDefaults, cors };
  }

  /** Checks a function against the API and the functions and routes declared so far, and resolves it. */
  public addFunction(name: string, options: ApiFunctionOptions): FunctionModel {
    const prop = `functions.${name}`;
    checkPattern('functions', name, IDENTIFIER_NAME, IDENTIFIER_NAME_RULE);
    this.checkNameFree('functions', name);
    const settings = validateFunctionOptions(prop, name, options, this.functionContext);
    requireBundler(this.scope, [options.entry]);
    if (!options.routes || options.routes.length === 0) {
      fail(`${prop}.routes`, 'list at least one route the function serves', options.routes ?? []);
    }
    validateFunctionAlarms(`${prop}.alarms`, options.alarms);
    validateConcurrencyAlarm(`${prop}.alarms`, options.alarms, options.reservedConcurrentExecutions);
    const thresholds = functionThresholds(`${prop}.alarms`, this.props.alarms?.functions, options.alarms);
    const shapes: { shape: string; prop: string }[] = [];
    const variables: PathVariable[] = [];
    options.routes.forEach((route, i) => {
      const at = `${prop}.routes[${i}]`;
      validateRoute(at, route, this.props.authorization, this.routeFeatures);
      const shape = routeShape(route);
      const clash = [...this.routes, ...shapes].find((r) => r.shape === shape);
      if (clash) {
        throw new Error(
          `\`${at}\` duplicates \`${clash.prop}\`: ${JSON.stringify(routeKey(route))} is declared twice (path parameter names do not make routes differ)`,
        );
      }
      shapes.push({ shape, prop: at });
      if (this.apiType === ApiType.REST) {
        for (const variable of pathVariables(`${at}.path`, route.path)) {
          checkSiblingVariables(variable, [...this.pathVariables, ...variables]);
          variables.push(variable);
        }
      }
    });
    // Only a function that passed every check is declared.
    this.functionNames.set(name, prop);
    this.routes.push(...shapes);
    this.pathVariables.push(...variables);
    return {
      name,
      prop,
      options,
      settings,
      accessPatterns: (options.accessPatterns ?? []).map((pattern) =>
        this.functionContext.accessPatterns.get(pattern)!,
      ),
      thresholds,
      description: options.routes.map(routeKey).join(', '),
    };
  }

  /**
   * Checks a worker, declared at `prop` under `name` (which its source's prop, `namesProp`, has checked the form of),
   * against the API and the route functions and workers declared so far, and resolves it.
   */
  public addWorker(namesProp: string, name: string, prop: string, options: WorkerOptions): WorkerModel {
    this.checkNameFree(namesProp, name);
    // JavaScript callers get no type check: a missing worker would otherwise fail reading its entry.
    if (typeof options !== 'object' || options === null) {
      fail(prop, "be the worker's options, with at least its `entry`", options);
    }
    const settings = validateFunctionOptions(prop, name, options, this.workerContext);
    requireBundler(this.scope, [options.entry]);
    validateFunctionAlarms(`${prop}.alarms`, options.alarms);
    validateConcurrencyAlarm(`${prop}.alarms`, options.alarms, options.reservedConcurrentExecutions);
    const thresholds = functionThresholds(`${prop}.alarms`, this.props.alarms?.functions, options.alarms);
    this.functionNames.set(name, prop);
    return {
      name,
      prop,
      options,
      settings,
      accessPatterns: (options.accessPatterns ?? []).map((pattern) => this.workerContext.accessPatterns.get(pattern)!),
      thresholds,
    };
  }

  /** Route functions and workers share one namespace: their names become construct ids, alarm and metric names. */
  private checkNameFree(namesProp: string, name: string): void {
    const taken = this.functionNames.get(name);
    if (taken === undefined) return;
    if (taken.startsWith('functions.') && namesProp === 'functions') fail('functions', 'have unique names', name);
    fail(
      namesProp,
      `have names unique among the API's route functions and workers, which share one namespace: \`${taken}\` is named ${JSON.stringify(name)} already`,
      name,
    );
  }
}
