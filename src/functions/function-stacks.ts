import * as crypto from 'crypto';
import { CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ApiStacks, ApiStacksKind, MAX_STACK_COUNT } from './api-stacks';
import { checkInteger } from '../private/validation';

/** CloudFormation takes at most 500 resources per stack (its own limit, nested stacks included). */
export const STACK_RESOURCE_LIMIT = 500;
/**
 * A function goes to the next stack when its own would pass this many resources with it: room for what is added to a
 * stack after its functions (nothing today), below the limit the budget check enforces.
 */
const STACK_FILL = 480;
/** What a function is assumed to add to its stack besides its routes, before it is built: the most it can cost. */
const FUNCTION_COST = 10;

/** What `ApiStacks.auto()` weighs: the routes of each declared function, the queues and the other workers. */
export interface DeclaredSize {
  readonly routeCounts: readonly number[];
  readonly queues: number;
  readonly workers: number;
  /** A REST API's path resources (one per distinct path segment), which are in its stack unless path stacks hold them. */
  readonly pathResources: number;
}

/**
 * The number of nested stacks the route functions hash into; 0 for one stack. `auto()` nests only when the declared
 * functions cannot fit one stack even at their fewest resources (a function's log group, role, function and, on an
 * HTTP API, integration, a resource per route, on a REST API a resource per path segment, a queue's two queues, two policies and mapping, a worker's three), so an API that
 * fits one stack today is never moved.
 */
export function resolveStackCount(
  prop: string,
  stacks: ApiStacks | undefined,
  http: boolean,
  size: DeclaredSize,
): number {
  const chosen = stacks ?? ApiStacks.auto();
  if (chosen.kind === ApiStacksKind.SINGLE) return 0;
  checkInteger(`${prop}.stackCount`, chosen.stackCount, 1, MAX_STACK_COUNT);
  if (chosen.kind === ApiStacksKind.NESTED) return chosen.stackCount;
  // A REST route function has no integration resource: the method carries it.
  const perFunction = http ? 4 : 3;
  const fewest =
    size.routeCounts.reduce((sum, routes) => sum + perFunction + routes, 0) +
    size.queues * 8 +
    size.workers * 3 +
    size.pathResources;
  return fewest > STACK_RESOURCE_LIMIT ? chosen.stackCount : 0;
}

/**
 * A stable 32-bit hash of a function's name (the first four bytes of its SHA-256): the same in every process,
 * platform and version, so a function keeps its stack from one synth to the next.
 */
export function nameHash(name: string): number {
  return crypto.createHash('sha256').update(name, 'utf8').digest().readUInt32BE(0);
}

function resourcesIn(stack: Stack): number {
  return stack.node.findAll().filter((c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack).length;
}

/** A nested stack of route functions, with what the API built for it when it was created. */
export interface FunctionStack<T> {
  /** `Stack<n>`: its construct id below the API's `Functions`, and its name in alarm names and dashboard rows. */
  readonly name: string;
  readonly stack: NestedStack;
  readonly parts: T;
}

/**
 * Places route functions: in `scope` itself for one stack, else in the nested stack `Stack<n>` below it, `n` the hash
 * of the function's name modulo `stackCount`. Adding or removing a function never moves another, and a function keeps
 * its stack as long as it fits there. When the stack a name hashes to is full (480 resources), the function goes to
 * the next stack with room, in order: that is the one placement that depends on the functions declared before it.
 * Stacks are created when the first function goes to them, and `create` builds what each needs (an invoke role, a
 * composite alarm).
 */
export class FunctionStacks<T> {
  private readonly byIndex = new Map<number, FunctionStack<T>>();

  constructor(
    private readonly scope: Construct,
    private readonly stackCount: number,
    private readonly create: (stack: NestedStack, name: string) => T,
  ) {}

  /** Whether functions go to nested stacks. */
  public get nested(): boolean {
    return this.stackCount > 0;
  }

  /** The nested stacks created so far, by index. */
  public get stacks(): FunctionStack<T>[] {
    return [...this.byIndex.keys()].sort((a, b) => a - b).map((index) => this.byIndex.get(index)!);
  }

  /** The nested stack the function `name` with `routeCount` routes goes to; undefined with one stack. */
  public place(name: string, routeCount: number): FunctionStack<T> | undefined {
    if (!this.nested) return undefined;
    const home = nameHash(name) % this.stackCount;
    for (let step = 0; step < this.stackCount; step++) {
      const index = (home + step) % this.stackCount;
      const existing = this.byIndex.get(index);
      if (!existing || resourcesIn(existing.stack) + FUNCTION_COST + routeCount <= STACK_FILL) return this.stack(index);
    }
    // Every stack is full: the budget check says so at synth, naming the stacks.
    return this.stack(home);
  }

  private stack(index: number): FunctionStack<T> {
    let found = this.byIndex.get(index);
    if (!found) {
      const name = `Stack${index}`;
      const stack = new NestedStack(this.scope, name, {
        description: `Route functions of ${Stack.of(this.scope).stackName} hashed to stack ${index}`,
      });
      found = { name, stack, parts: this.create(stack, name) };
      this.byIndex.set(index, found);
    }
    return found;
  }
}
