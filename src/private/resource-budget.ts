import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * CloudFormation takes at most 500 resources per stack
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html); aws-cdk-lib refuses a
 * larger template by resource type, this says which declarations of the API cost what, and how to fit. The app's
 * `@aws-cdk/core:stackResourceLimit` context changes the limit as it does aws-cdk-lib's (0 turns the check off).
 */
const STACK_RESOURCE_LIMIT = 500;
const LIMIT_CONTEXT = '@aws-cdk/core:stackResourceLimit';

/** The app's `@aws-cdk/core:stackResourceLimit`, else CloudFormation's; 0 or less turns the checks off. */
function resourceLimit(scope: IConstruct): number {
  const context = scope.node.tryGetContext(LIMIT_CONTEXT);
  return context === undefined ? STACK_RESOURCE_LIMIT : parseInt(`${context}`, 10);
}

/** The REST API's path resources (`AWS::ApiGateway::Resource`) in `stack`: they stay in the API's stack. */
function pathResourcesIn(stack: Stack): number {
  return stack.node
    .findAll()
    .filter(
      (c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack && c.cfnResourceType === 'AWS::ApiGateway::Resource',
    ).length;
}

function resourcesIn(scope: IConstruct, stack: Stack): number {
  return scope.node.findAll().filter((c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack).length;
}

/**
 * The error when the API's stack holds more resources than CloudFormation takes: what its route functions (the
 * children of `functions`) and its queues with their workers (the children of the first of `queues`, and the rest of
 * `queues`) cost.
 */
export function resourceBudgetErrors(api: IConstruct, functions: IConstruct, queues: IConstruct[]): string[] {
  const stack = Stack.of(api);
  const limit = resourceLimit(api);
  if (!(limit > 0)) return [];
  const inStack = resourcesIn(stack, stack);
  if (inStack <= limit) return [];
  const ofApi = resourcesIn(api, stack);
  const ofFunctions = resourcesIn(functions, stack);
  const ofQueues = queues.reduce((sum, scope) => sum + resourcesIn(scope, stack), 0);
  const functionCount = functions.node.children.length;
  const queueCount = queues[0].node.children.length;
  const each = (resources: number, count: number) => (count ? `, about ${Math.round(resources / count)} each` : '');
  const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const queuePart = queueCount
    ? `${ofQueues} for its ${plural(queueCount, 'queue')} with ${queueCount === 1 ? 'its worker' : 'their workers'}${each(ofQueues, queueCount)}, `
    : '';
  return [
    `\`functions\` and \`queues\` must fit CloudFormation's ${limit} resources per stack: this API makes ${ofApi} of the stack's ${inStack}: ` +
      `${ofFunctions} for its ${plural(functionCount, 'route function')}${each(ofFunctions, functionCount)}, ${queuePart}` +
      `${ofApi - ofFunctions - ofQueues} for the API and its routes, the table and monitoring; ` +
      `serve the routes with fewer functions${queueCount ? ', or declare some queues in an API of another stack' : ''}` +
      ', or put the functions in nested stacks (`stacks: ApiStacks.nested()`), ' +
      `got: ${inStack} resources`,
  ];
}

/**
 * The errors of an API whose route functions are in nested stacks (`stacks`, each named `Stack<n>`): each stack, the
 * API's own and each nested one, must hold at most the limit.
 */
export function nestedBudgetErrors(api: IConstruct, stacks: readonly { name: string; stack: Stack }[]): string[] {
  const limit = resourceLimit(api);
  if (!(limit > 0)) return [];
  const errors: string[] = [];
  const parent = Stack.of(api);
  const inParent = resourcesIn(parent, parent);
  if (inParent > limit) {
    const paths = pathResourcesIn(parent);
    // A REST API's path resources stay in its stack, however many nested stacks its methods go to.
    const fix = paths
      ? `, ${paths} of them REST path resources (one per path segment, shared by the methods of every stack); ` +
        'serve the routes on fewer distinct path segments, split the routes over two APIs, or '
      : '; ';
    errors.push(
      `\`functions\` and \`queues\` must fit CloudFormation's ${limit} resources per stack: the API's own stack holds ${inParent} with the route functions in ${stacks.length} nested stacks` +
        `${fix}declare some queues or workers in an API of another stack, ` +
        `got: ${inParent} resources`,
    );
  }
  for (const { name, stack } of stacks) {
    const count = resourcesIn(stack, stack);
    if (count <= limit) continue;
    errors.push(
      `\`stacks.stackCount\` must spread the route functions so each nested stack holds at most ${limit} resources: ` +
        `${name} holds ${count} for its ${stack.node.children.filter((c) => c.node.tryFindChild('Function')).length} functions; ` +
        `raise \`stackCount\` (this moves most functions to other stacks once) or serve the routes with fewer functions, got: ${count} resources`,
    );
  }
  return errors;
}

/** The error of an API that declares no function, in props or with `addFunction()`, checked at synth. */
export function noFunctionErrors(functionCount: number): string[] {
  return functionCount
    ? []
    : ['`functions` must declare at least one function, in props or with addFunction(), got: {}'];
}
