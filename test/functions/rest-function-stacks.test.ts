import { CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AccessPattern,
  ApiAuthorization,
  ApiFunctionOptions,
  ApiStacks,
  ApiType,
  ServerlessApi,
  ServerlessApiProps,
} from '../../src';
import { nameHash } from '../../src/functions/function-stacks';
import { fn, newStack, resourceTypeCounts, route } from '../helpers/api';

/** CloudFormation takes 500 resources per stack: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html */
const RESOURCE_LIMIT = 500;

const ACCESS_PATTERNS = {
  getItem: AccessPattern.getItem({ partitionKey: 'ITEM#{id}', sortKey: 'ITEM' }),
};

/** Five methods on each of 200 paths `/items<k>/{id}`: 1,000 routes on 201 path resources. */
const METHODS = [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE];
const routeAt = (j: number) => route(METHODS[j % 5], `/items${Math.floor(j / 5)}/{id}`);

/** Functions `fn<i>` for each of `indexes`, function i serving routes 4i to 4i + 3. */
function functions(indexes: number[]): { [name: string]: ApiFunctionOptions } {
  return Object.fromEntries(
    indexes.map((i) => [
      `fn${i}`,
      fn(
        [0, 1, 2, 3].map((r) => routeAt(4 * i + r)),
        { accessPatterns: ['getItem'] },
      ),
    ]),
  );
}

const range = (count: number) => Array.from({ length: count }, (_, i) => i);

function build(fns: { [name: string]: ApiFunctionOptions }, extra: Partial<ServerlessApiProps> = {}) {
  const stack = newStack();
  const api = new ServerlessApi(stack, 'Api', {
    apiType: ApiType.REST,
    authorization: ApiAuthorization.iam(),
    accessPatterns: ACCESS_PATTERNS,
    functions: fns,
    ...extra,
  });
  return { stack, api };
}

function nestedStacks(stack: Stack): NestedStack[] {
  return stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
}

const total = (counts: { [type: string]: number }) => Object.values(counts).reduce((a, b) => a + b, 0);

/** The logical id of the API's deployment, which CloudFormation replaces when it changes. */
function deploymentId(stack: Stack): string {
  return Object.keys(Template.fromStack(stack).findResources('AWS::ApiGateway::Deployment'))[0];
}

/** Each function's nested stack and the logical ids of its resources and methods. */
function placement(api: ServerlessApi): { [name: string]: { stack: string; logicalIds: string[] } } {
  return Object.fromEntries(
    api.functions.map((f) => {
      const stack = Stack.of(f);
      const routeKeys = new Set(
        functions([Number(f.name.slice(2))])[f.name].routes.map((r) => `${r.method} ${r.path}`),
      );
      const methods = (stack.node.tryFindChild('Methods')?.node.children ?? []).filter(
        (m): m is apigateway.Method =>
          m instanceof apigateway.Method && routeKeys.has(`${m.httpMethod} ${m.resource.path}`),
      );
      const own = f.node.findAll().filter(CfnResource.isCfnResource);
      const ids = [...own, ...methods.map((m) => m.node.defaultChild as CfnResource)].map((r) =>
        stack.resolve(r.logicalId),
      );
      return [f.name, { stack: stack.node.path, logicalIds: ids.sort() }];
    }),
  );
}

describe('GIVEN a REST API of 1,000 routes over 250 functions, with no stacks prop', () => {
  let stack: Stack;
  let api: ServerlessApi;
  let parent: Template;
  beforeAll(() => {
    ({ stack, api } = build(functions(range(250))));
    parent = Template.fromStack(stack);
  });

  test('THEN it synthesizes, the functions and methods spread over the 16 nested stacks, every stack under 500 resources', () => {
    const stacks = nestedStacks(stack);
    expect(stacks).toHaveLength(16);
    const counts = resourceTypeCounts(parent);
    expect(counts['AWS::CloudFormation::Stack']).toBe(16);
    expect(counts['AWS::Lambda::Function']).toBeUndefined();
    expect(counts['AWS::ApiGateway::Method']).toBeUndefined();
    // AND the API's path resources stay in its stack: the 200 paths and their parent segments
    expect(counts['AWS::ApiGateway::Resource']).toBe(400);
    expect(total(counts)).toBeLessThan(RESOURCE_LIMIT);
    const nested = stacks.map((s) => resourceTypeCounts(Template.fromStack(s)));
    for (const c of nested) expect(total(c)).toBeLessThan(RESOURCE_LIMIT);
    const sum = (type: string) => nested.reduce((n, c) => n + (c[type] ?? 0), 0);
    expect(sum('AWS::Lambda::Function')).toBe(250);
    expect(sum('AWS::ApiGateway::Method')).toBe(1000);
    expect(sum('AWS::ApiGateway::Resource')).toBe(0);
    expect(sum('AWS::IAM::Role')).toBe(250 + 16);
    expect(sum('AWS::CloudWatch::CompositeAlarm')).toBe(16);
  });

  test('THEN each function is in the stack its name hashes to', () => {
    for (const f of api.functions) expect(Stack.of(f).node.id).toBe(`Stack${nameHash(f.name) % 16}`);
  });

  test("THEN a nested stack's methods refer to the API and its path resources by parameter and invoke through the stack's own role, which may invoke exactly its functions", () => {
    const template = Template.fromStack(nestedStacks(stack)[0]);
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'apigateway.amazonaws.com' } }] } },
    });
    expect(Object.keys(roles)).toHaveLength(1);
    const [roleId] = Object.keys(roles);
    const fnIds = Object.keys(template.findResources('AWS::Lambda::Function'));
    expect(roles[roleId].Properties.Policies[0].PolicyDocument.Statement[0].Resource).toEqual(
      fnIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })),
    );
    const parameters = Object.keys(template.toJSON().Parameters);
    for (const method of Object.values(template.findResources('AWS::ApiGateway::Method'))) {
      expect(method.Properties.Integration.Credentials).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
      expect(parameters).toContain(method.Properties.RestApiId.Ref);
      expect(parameters).toContain(method.Properties.ResourceId.Ref);
      expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
    }
    // AND the API's own invoke role, with no function in its stack and no Lambda authorizer, may invoke nothing
    const parentRoles = parent.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'apigateway.amazonaws.com' } }] } },
    });
    expect(Object.values(parentRoles).map((r) => r.Properties.Policies)).toEqual([undefined]);
  });

  test('THEN the deployment depends on every nested stack, so it deploys once their methods exist', () => {
    const [deployment] = Object.values(parent.findResources('AWS::ApiGateway::Deployment'));
    const stackIds = Object.keys(parent.findResources('AWS::CloudFormation::Stack'));
    expect(deployment.DependsOn).toEqual(expect.arrayContaining(stackIds));
  });

  test('THEN the alarm tree and the dashboard are those of nested stacks: one composite alarm and one dashboard row per stack', () => {
    const [root] = Object.values(parent.findResources('AWS::CloudWatch::CompositeAlarm'));
    expect(JSON.stringify(root.Properties.AlarmRule).match(/Outputs\./g)).toHaveLength(16);
    const [dashboard] = Object.values(parent.findResources('AWS::CloudWatch::Dashboard'));
    expect(JSON.stringify(dashboard.Properties.DashboardBody).match(/Functions of Stack\d+: error rate/g)).toHaveLength(
      16,
    );
  });
});

describe('GIVEN a REST API in nested stacks', () => {
  const nested = { stacks: ApiStacks.nested() };

  test('WHEN a function is added THEN no existing function changes stack or logical ids', () => {
    const before = placement(build(functions(range(40)), nested).api);
    const { api } = build(functions(range(40)), nested);
    api.addFunction('fn40', functions([40]).fn40);
    const after = placement(api);
    expect(Object.keys(after)).toHaveLength(41);
    expect(before.fn0.logicalIds.filter((id) => id.includes('Methods'))).toHaveLength(4);
    for (const name of Object.keys(before)) expect(after[name]).toEqual(before[name]);
    expect(new Set(Object.values(before).map((p) => p.stack)).size).toBeGreaterThan(8);
  });

  test('WHEN nothing changes THEN the deployment keeps its logical id', () => {
    expect(deploymentId(build(functions(range(20)), nested).stack)).toBe(
      deploymentId(build(functions(range(20)), nested).stack),
    );
  });

  test.each([
    ['method', { method: HttpMethod.HEAD }],
    ['authorization', { authorization: ApiAuthorization.none() }],
  ])("WHEN a route's %s changes in a nested stack THEN the API's deployment is replaced", (_, change) => {
    const before = deploymentId(build(functions(range(20)), nested).stack);
    const fns = functions(range(20));
    fns.fn7 = { ...fns.fn7, routes: [{ ...fns.fn7.routes[0], ...change }, ...fns.fn7.routes.slice(1)] };
    const { stack, api } = build(fns, nested);
    expect(Stack.of(api.functions[7]).nested).toBe(true);
    expect(deploymentId(stack)).not.toBe(before);
  });

  test('WHEN the path resources added with addFunction() alone pass the limit THEN synth counts them in the API stack and says how to fit', () => {
    // GIVEN 130 functions of four routes, each on four paths of its own: 520 path resources and 36 others, all but the
    // first added after the API is built, so its path stacks (chosen from the declared functions) are not used
    const fns = Object.fromEntries(
      range(130).map((i) => [`fn${i}`, fn(range(4).map((r) => route(HttpMethod.GET, `/f${i}x${r}`)))]),
    );
    const { stack, api } = build({ fn0: fns.fn0 }, nested);
    for (const i of range(129)) api.addFunction(`fn${i + 1}`, fns[`fn${i + 1}`]);
    expect(() => Template.fromStack(stack)).toThrow(
      /`functions` and `queues` must fit CloudFormation's 500 resources per stack: the API's own stack holds 556 with the route functions in 16 nested stacks, 520 of them REST path resources \(one per path segment, shared by the methods of every stack\); serve the routes on fewer distinct path segments, split the routes over two APIs, or declare some queues or workers in an API of another stack, got: 556 resources/,
    );
  });
});
