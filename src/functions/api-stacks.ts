/** Where the route functions go once one stack is not enough. */
export interface NestedStacksOptions {
  /**
   * How many nested stacks the route functions are spread over: each function goes to the stack its name hashes to,
   * so adding or removing a function never moves another (1 to 64). A stack no function hashes to is not created.
   * Choose it once: changing it moves most functions, and their routes, to other stacks.
   *
   * @default 16
   */
  readonly stackCount?: number;
}

/** The kinds of `ApiStacks`. */
export enum ApiStacksKind {
  /** One stack while the declared functions fit, nested stacks when they would not. */
  AUTO = 'AUTO',
  /** Everything in the API's stack. */
  SINGLE = 'SINGLE',
  /** Route functions, with their routes and alarms, in nested stacks. */
  NESTED = 'NESTED',
}

/** The default number of nested stacks of `ApiStacks.nested()`. */
export const DEFAULT_STACK_COUNT = 16;
/** The most nested stacks `ApiStacks.nested()` takes. */
export const MAX_STACK_COUNT = 64;

/**
 * How the API's resources are spread over CloudFormation stacks, which take at most 500 resources each.
 *
 * A route function costs about five resources and a route one, so one stack holds about 80 functions of one route
 * each. With nested stacks (CloudFormation's `AWS::CloudFormation::Stack`, deployed with the API's stack) the route
 * functions with their roles, log groups, alarms, integrations and routes (on a REST API, their methods) go to the nested
 * stack their name hashes to; the API, its authorizers, the table and the API-wide monitoring stay in the API's stack,
 * and on a REST API also its path resources (one per path segment, shared by every stack's methods), validators, models,
 * usage plans, deployment and stage. The REST deployment depends on every nested stack and is replaced when any of
 * their methods changes. When the declared path resources (with their CORS preflights) would pass 440 in the API's
 * stack, they go to 8 nested path stacks `Paths/Stack<n>`, each path with its first segment's subtree (SHA-256 of
 * that segment modulo 8), so adding a route never moves another path; an API under that keeps its template.
 *
 * @example
 * new ServerlessApi(this, 'Api', { stacks: ApiStacks.nested({ stackCount: 16 }), ... });
 */
export class ApiStacks {
  /**
   * One stack while the functions of the `functions` prop could fit it, nested stacks with the defaults of `nested()`
   * when they cannot even at their fewest resources (4 per function, 3 on a REST API, 1 per route, on a REST API 1 per
   * path segment), so an API that
   * fits one stack is never moved. Functions added with `addFunction()` follow the choice.
   */
  public static auto(): ApiStacks {
    return new ApiStacks(ApiStacksKind.AUTO, DEFAULT_STACK_COUNT);
  }

  /** Everything in the API's stack; synth fails, saying what costs what, when it exceeds 500 resources. */
  public static single(): ApiStacks {
    return new ApiStacks(ApiStacksKind.SINGLE, 0);
  }

  /**
   * The route functions in nested stacks, each in the stack its name hashes to, with their routes (HTTP) or methods
   * (REST).
   *
   * @param options how many nested stacks
   */
  public static nested(options: NestedStacksOptions = {}): ApiStacks {
    return new ApiStacks(ApiStacksKind.NESTED, options.stackCount ?? DEFAULT_STACK_COUNT);
  }

  /** Which kind. */
  public readonly kind: ApiStacksKind;
  /** How many nested stacks the functions hash into; 0 for `single()`. */
  public readonly stackCount: number;

  private constructor(kind: ApiStacksKind, stackCount: number) {
    this.kind = kind;
    this.stackCount = stackCount;
  }
}
