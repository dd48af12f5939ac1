import { Annotations, CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { nameHash, STACK_RESOURCE_LIMIT } from '../../functions/function-stacks';

/** How many nested stacks the path resources hash into, by their first path segment. Fixed: changing it moves paths. */
export const PATH_STACK_COUNT = 8;
/**
 * Path resources (with their CORS preflight methods) move to path stacks when the declared ones would pass this many
 * in the API's stack, which also holds the API, its stage, deployment, authorizers, table and monitoring (about 40).
 */
export const PATH_STACKS_ABOVE = 440;
/** API Gateway's default quota of resources per REST API: https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html */
export const REST_RESOURCE_QUOTA = 300;

/** The path resources `paths` need (one per distinct path segment prefix), not counting the root. */
export function pathResourceCount(paths: readonly string[]): number {
  const prefixes = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/').filter(Boolean);
    parts.forEach((_, i) => prefixes.add(parts.slice(0, i + 1).join('/')));
  }
  return prefixes.size;
}

/** The number of path stacks: 0 unless the functions are nested and the declared path resources would not fit. */
export function resolvePathStackCount(functionStacks: number, paths: readonly string[], cors: boolean): number {
  if (functionStacks === 0) return 0;
  const cost = pathResourceCount(paths) * (cors ? 2 : 1);
  return cost > PATH_STACKS_ABOVE ? PATH_STACK_COUNT : 0;
}

/**
 * Places a REST API's path resources: below the API's root in its own stack, or, with path stacks, each whole subtree
 * in the nested stack `Paths/Stack<n>`, `n` the hash of its first path segment modulo the count. A path resource and
 * its parent are always in the same stack except first-level ones, whose parent is the API's root (a parameter), so a
 * path never moves when another is added. A path resource's CORS preflight method is built with it, in its stack.
 */
export class RestPaths {
  private readonly stacks = new Map<number, NestedStack>();
  private readonly paths = new Set<string>();
  private scope?: Construct;
  private warned = false;

  constructor(
    private readonly parent: Construct,
    private readonly api: apigateway.RestApi,
    private readonly stackCount: number,
  ) {
    if (stackCount > 0) api.node.addValidation({ validate: () => this.budgetErrors() });
  }

  /** The path resource of `path`, created with its parents where missing. */
  public resourceFor(path: string): apigateway.IResource {
    const parts = path.split('/').filter(Boolean);
    parts.forEach((_, i) => this.paths.add(parts.slice(0, i + 1).join('/')));
    if (this.paths.size > REST_RESOURCE_QUOTA && !this.warned) {
      this.warned = true;
      Annotations.of(this.api).addWarningV2(
        'cdk-serverless-api:restResourceQuota',
        `The REST API has more than ${REST_RESOURCE_QUOTA} path resources, API Gateway's default quota of resources per REST API: ` +
          'request a quota increase before deploying (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html)',
      );
    }
    if (this.stackCount === 0 || parts.length === 0) return this.api.root.resourceForPath(path);
    const [first, ...rest] = parts;
    const top =
      this.api.root.getResource(first) ??
      new apigateway.Resource(this.stack(nameHash(first) % this.stackCount), first, {
        parent: this.api.root,
        pathPart: first,
      });
    return rest.length ? top.resourceForPath(rest.join('/')) : top;
  }

  /** The path stacks created so far, by index. */
  public get nestedStacks(): { name: string; stack: Stack }[] {
    return [...this.stacks.keys()]
      .sort((a, b) => a - b)
      .map((index) => ({ name: `Paths/Stack${index}`, stack: this.stacks.get(index)! }));
  }

  /** A path stack past CloudFormation's limit: one first path segment's subtree holds too many paths. */
  private budgetErrors(): string[] {
    return this.nestedStacks.flatMap(({ name, stack }) => {
      const count = stack.node.findAll().filter((c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack).length;
      return count > STACK_RESOURCE_LIMIT
        ? [
            `\`functions\` must serve paths whose path stack holds at most ${STACK_RESOURCE_LIMIT} resources: ${name} holds the paths of the first segments hashed to it; ` +
              `serve the routes on fewer distinct path segments below one first segment, or split the routes over two APIs, got: ${count} resources`,
          ]
        : [];
    });
  }

  private stack(index: number): NestedStack {
    let stack = this.stacks.get(index);
    if (!stack) {
      this.scope ??= new Construct(this.parent, 'Paths');
      stack = new NestedStack(this.scope, `Stack${index}`, {
        description: `REST path resources of ${Stack.of(this.parent).stackName} hashed to stack ${index}`,
      });
      this.stacks.set(index, stack);
    }
    return stack;
  }
}
