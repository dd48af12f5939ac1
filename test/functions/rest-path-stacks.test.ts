import { NestedStack, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AccessPattern,
  ApiAuthorization,
  ApiFunctionOptions,
  ApiType,
  ServerlessApi,
  ServerlessApiProps,
} from '../../src';
import { PATH_STACK_COUNT } from '../../src/api/rest/rest-path-stacks';
import { nameHash } from '../../src/functions/function-stacks';
import { fn, newStack, resourceTypeCounts, route } from '../helpers/api';

/** CloudFormation takes 500 resources per stack: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html */
const RESOURCE_LIMIT = 500;

/** Function i serves `/things<i>` (GET, POST) and `/things<i>/{thingId}` (GET, DELETE): two path resources each. */
function functions(indexes: number[]): { [name: string]: ApiFunctionOptions } {
  return Object.fromEntries(
    indexes.map((i) => [
      `fn${i}`,
      fn(
        [
          route(HttpMethod.GET, `/things${i}`),
          route(HttpMethod.POST, `/things${i}`),
          route(HttpMethod.GET, `/things${i}/{thingId}`),
          route(HttpMethod.DELETE, `/things${i}/{thingId}`),
        ],
        { accessPatterns: ['getItem'] },
      ),
    ]),
  );
}

const CORS = { allowOrigins: ['https://app.example.com'] };
const range = (count: number) => Array.from({ length: count }, (_, i) => i);
const total = (counts: { [type: string]: number }) => Object.values(counts).reduce((a, b) => a + b, 0);

function build(fns: { [name: string]: ApiFunctionOptions }, extra: Partial<ServerlessApiProps> = {}) {
  const stack = newStack();
  const api = new ServerlessApi(stack, 'Api', {
    apiType: ApiType.REST,
    authorization: ApiAuthorization.iam(),
    accessPatterns: { getItem: AccessPattern.getItem({ partitionKey: 'THING#{thingId}', sortKey: 'THING' }) },
    functions: fns,
    ...extra,
  });
  return { stack, api };
}

function pathStacks(stack: Stack): NestedStack[] {
  return stack.node
    .findAll()
    .filter((c): c is NestedStack => c instanceof NestedStack && c.node.path.includes('/Paths/'));
}

/** Each path resource's stack and logical id, by path. */
function placement(stack: Stack): { [path: string]: string } {
  const out: { [path: string]: string } = {};
  for (const s of pathStacks(stack)) {
    for (const [id, r] of Object.entries(Template.fromStack(s).findResources('AWS::ApiGateway::Resource'))) {
      out[`${s.node.id}/${id}`] = JSON.stringify(r.Properties.PathPart);
    }
  }
  return out;
}

describe('GIVEN a REST API of 1,000 routes over 250 functions on 500 distinct path resources, with no stacks prop', () => {
  let stack: Stack;
  let parent: Template;
  beforeAll(() => {
    ({ stack } = build(functions(range(250)), { cors: CORS }));
    parent = Template.fromStack(stack);
  });

  test('THEN it synthesizes with no cycle, the path resources in path stacks, every stack under 500 resources', () => {
    const counts = resourceTypeCounts(parent);
    expect(counts['AWS::ApiGateway::Resource']).toBeUndefined();
    expect(total(counts)).toBeLessThan(RESOURCE_LIMIT);
    const paths = pathStacks(stack);
    expect(paths.length).toBeLessThanOrEqual(PATH_STACK_COUNT);
    const nested = stack.node
      .findAll()
      .filter((c): c is NestedStack => c instanceof NestedStack)
      .map((s) => resourceTypeCounts(Template.fromStack(s)));
    for (const c of nested) expect(total(c)).toBeLessThan(RESOURCE_LIMIT);
    const sum = (type: string) => nested.reduce((n, c) => n + (c[type] ?? 0), 0);
    expect(sum('AWS::ApiGateway::Resource')).toBe(500);
    // AND each path resource's CORS preflight method is in its stack: 1,000 routes plus 500 OPTIONS methods, and the root's
    expect(sum('AWS::ApiGateway::Method')).toBe(1500);
    expect(counts['AWS::ApiGateway::Method']).toBe(1);
  });

  test("THEN each first-level path resource is in the stack its segment hashes to, its parent the API's root by parameter", () => {
    for (const s of pathStacks(stack)) {
      const template = Template.fromStack(s);
      const parameters = Object.keys(template.toJSON().Parameters);
      for (const r of Object.values(template.findResources('AWS::ApiGateway::Resource'))) {
        if (typeof r.Properties.PathPart === 'string' && r.Properties.PathPart.startsWith('things')) {
          expect(s.node.id).toBe(`Stack${nameHash(r.Properties.PathPart) % PATH_STACK_COUNT}`);
          expect(parameters).toContain(r.Properties.ParentId.Ref);
        }
      }
    }
  });

  test('THEN the deployment depends on every path stack and function stack', () => {
    const [deployment] = Object.values(parent.findResources('AWS::ApiGateway::Deployment'));
    const stackIds = Object.keys(parent.findResources('AWS::CloudFormation::Stack'));
    expect(stackIds.length).toBeGreaterThan(16);
    expect(deployment.DependsOn).toEqual(expect.arrayContaining(stackIds));
  });

  test('THEN synth warns that the API needs a quota increase for more than 300 resources', () => {
    Annotations.fromStack(stack).hasWarning(
      '*',
      Match.stringLikeRegexp("more than 300 path resources, API Gateway's default quota"),
    );
  });
  test('WHEN a route is added THEN no path resource changes stack or logical id', () => {
    const before = placement(stack);
    const { stack: grown, api } = build(functions(range(250)), { cors: CORS });
    api.addFunction('fn250', functions([250]).fn250);
    const after = placement(grown);
    expect(Object.keys(after).length).toBe(Object.keys(before).length + 2);
    for (const [key, value] of Object.entries(before)) expect(after[key]).toBe(value);
  });

  test('WHEN the CORS preflight methods, in the path stacks, change THEN the deployment is replaced', () => {
    const deploymentId = (template: Template) => Object.keys(template.findResources('AWS::ApiGateway::Deployment'))[0];
    const before = deploymentId(parent);
    expect(deploymentId(Template.fromStack(build(functions(range(250)), { cors: CORS }).stack))).toBe(before);
    const changed = build(functions(range(250)), { cors: { allowOrigins: ['https://b.example.com'] } }).stack;
    expect(deploymentId(Template.fromStack(changed))).not.toBe(before);
  });
});
