import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { ApiFunction } from './api-function';
import { SendAccess } from './api-workers';
import { IApiFunction } from './function-options';
import { EventBusProvider } from './function-publishes';
import { FunctionStack, FunctionStacks } from './function-stacks';
import { ApiBuilder, RouteTarget } from '../api/api-builder';
import { InvokeGrants } from '../api/authorization/iam-grant';
import { ApiMonitoring, FunctionGroup } from '../monitoring/api-monitoring';
import { nestedBudgetErrors, resourceBudgetErrors } from '../private/resource-budget';
import { FunctionModel } from '../serverless-api-model';
import { TableModel } from '../table/table-builder';

/** What the route functions are wired to, read when the first function is built. */
export interface RouteFunctionParts {
  readonly monitoring: ApiMonitoring;
  readonly events: EventBusProvider;
  readonly sendAccess: (queues: readonly string[]) => SendAccess;
}

export interface RouteFunctionsProps {
  /** How many nested stacks the functions hash into; 0 keeps them in the API's stack. */
  readonly stackCount: number;
  readonly api: ApiBuilder;
  readonly invokeGrants: InvokeGrants;
  readonly table: TableModel;
  readonly logRetention: logs.RetentionDays;
  /** Variables the API sets on every route function. */
  readonly apiEnvironment: { [key: string]: string };
  /** Built after this scope (monitoring, the bus, the queues), so given as a function. */
  readonly parts: () => RouteFunctionParts;
}

/** What each nested stack of route functions holds besides them: its routes with their invoke role, its alarm group. */
interface StackParts {
  readonly target: RouteTarget;
  readonly group: FunctionGroup;
}

/**
 * The route functions (`Functions/<name>`, or `Functions/Stack<n>/<name>` in nested stacks): each with its role, logs
 * and alarms, routed from the API.
 */
export class RouteFunctions extends Construct {
  private readonly declared: ApiFunction[] = [];
  private readonly placement: FunctionStacks<StackParts>;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: RouteFunctionsProps,
  ) {
    super(scope, id);
    this.placement = new FunctionStacks(this, props.stackCount, (stack, name) => ({
      target: props.api.routeTarget(stack),
      group: props.parts().monitoring.functionGroup(stack, name),
    }));
  }

  /** The route functions, in the order they were declared. */
  public get functions(): ApiFunction[] {
    return [...this.declared];
  }

  /** The nested stacks of route functions; empty when they are in the API's stack. */
  public get stacks(): FunctionStack<unknown>[] {
    return this.placement.stacks;
  }

  /** Builds the function of `model`, routes its routes to it and watches it. */
  public add(model: FunctionModel): IApiFunction {
    const parts = this.props.parts();
    const nested = this.placement.place(model.name, model.options.routes.length);
    const fn = new ApiFunction(nested?.stack ?? this, model.name, {
      prop: model.prop,
      name: model.name,
      eventBus: parts.events.busFor(model.options.publishes),
      options: model.options,
      settings: model.settings,
      table: this.props.table,
      accessPatterns: model.accessPatterns,
      logRetention: this.props.logRetention,
      description: model.description,
      apiEnvironment: this.props.apiEnvironment,
      ...parts.sendAccess(model.options.queues ?? []),
    });
    this.props.invokeGrants.whileAdding(() =>
      this.props.api.addFunction(fn, fn.lambdaFunction, model.options.routes, nested?.parts.target),
    );
    fn.alarms.push(
      ...parts.monitoring.addFunction({
        scope: fn,
        name: model.name,
        metrics: fn.metrics,
        timeout: fn.timeout,
        thresholds: model.thresholds,
        group: nested?.parts.group,
      }),
    );
    this.declared.push(fn);
    return fn;
  }

  /**
   * The error when a stack holds more resources than CloudFormation takes: in one stack, what costs what; in nested
   * stacks, which stack is over.
   */
  public budgetErrors(api: IConstruct, queues: IConstruct[]): string[] {
    return this.placement.nested
      ? nestedBudgetErrors(api, this.placement.stacks)
      : resourceBudgetErrors(api, this, queues);
  }
}
