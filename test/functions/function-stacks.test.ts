import { App, CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessPattern, ApiFunctionOptions, ApiStacks, ServerlessApi, ServerlessApiProps } from '../../src';
import { nameHash } from '../../src/functions/function-stacks';
import { fn, jwt, newStack, resourceTypeCounts, route } from '../helpers/api';

/** CloudFormation takes 500 resources per stack: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html */
const RESOURCE_LIMIT = 500;

const ACCESS_PATTERNS = {
  getItem: AccessPattern.getItem({ partitionKey: 'ITEM#{id}', sortKey: 'ITEM' }),
  putItem: AccessPattern.putItem({ partitionKey: 'ITEM#{id}', sortKey: 'ITEM' }),
};

/** Functions `fn<i>` for each of `indexes`, each with four routes of its own. */
function functions(indexes: number[]): { [name: string]: ApiFunctionOptions } {
  return Object.fromEntries(
    indexes.map((i) => [
      `fn${i}`,
      fn(
        [0, 1, 2, 3].map((r) => route(HttpMethod.GET, `/fn${i}/items${r}/{id}`)),
        { accessPatterns: ['getItem', 'putItem'] },
      ),
    ]),
  );
}

const range = (count: number) => Array.from({ length: count }, (_, i) => i);

function build(fns: { [name: string]: ApiFunctionOptions }, extra: Partial<ServerlessApiProps> = {}) {
  const stack = newStack();
  const api = new ServerlessApi(stack, 'Api', {
    authorization: jwt(),
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

/** Each function's nested stack and the logical ids of its resources and routes. */
function placement(api: ServerlessApi): { [name: string]: { stack: string; logicalIds: string[] } } {
  return Object.fromEntries(
    api.functions.map((f) => {
      const stack = Stack.of(f);
      const own = f.node.findAll().filter(CfnResource.isCfnResource);
      const routes = (stack.node.tryFindChild('Routes')?.node.children ?? []).filter(CfnResource.isCfnResource);
      const ids = [...own, ...routes.filter((r) => r.node.id.includes(`/${f.name}/`))].map((r) =>
        stack.resolve(r.logicalId),
      );
      return [f.name, { stack: stack.node.path, logicalIds: ids.sort() }];
    }),
  );
}

describe('GIVEN an HTTP API of 1,000 routes over 250 functions, with no stacks prop', () => {
  let stack: Stack;
  let api: ServerlessApi;
  beforeAll(() => {
    ({ stack, api } = build(functions(range(250))));
  });

  test('THEN it synthesizes, the functions spread over the 16 nested stacks of the default, every stack under 500 resources', () => {
    const stacks = nestedStacks(stack);
    expect(stacks.map((s) => s.node.id).sort()).toEqual(
      range(16)
        .map((i) => `Stack${i}`)
        .sort(),
    );
    const parent = resourceTypeCounts(Template.fromStack(stack));
    expect(parent['AWS::CloudFormation::Stack']).toBe(16);
    expect(parent['AWS::Lambda::Function']).toBeUndefined();
    expect(total(parent)).toBeLessThan(RESOURCE_LIMIT);
    const nested = stacks.map((s) => resourceTypeCounts(Template.fromStack(s)));
    for (const counts of nested) expect(total(counts)).toBeLessThan(RESOURCE_LIMIT);
    // AND every function and route is in exactly one of them
    const sum = (type: string) => nested.reduce((n, counts) => n + (counts[type] ?? 0), 0);
    expect(sum('AWS::Lambda::Function')).toBe(250);
    expect(sum('AWS::ApiGatewayV2::Route')).toBe(1000);
    expect(sum('AWS::ApiGatewayV2::Integration')).toBe(250);
    // AND each nested stack has its own invoke role and composite alarm
    expect(sum('AWS::IAM::Role')).toBe(250 + 16);
    expect(sum('AWS::CloudWatch::CompositeAlarm')).toBe(16);
  });

  test('THEN each function is in the stack its name hashes to (none is full)', () => {
    for (const f of api.functions) {
      expect(Stack.of(f).node.id).toBe(`Stack${nameHash(f.name) % 16}`);
    }
  });

  test("THEN a nested stack's integrations invoke through its own role, which may invoke exactly its functions", () => {
    const nested = nestedStacks(stack)[0];
    const template = Template.fromStack(nested);
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'apigateway.amazonaws.com' } }] } },
    });
    expect(Object.keys(roles)).toHaveLength(1);
    const [roleId] = Object.keys(roles);
    const resources = roles[roleId].Properties.Policies[0].PolicyDocument.Statement[0].Resource;
    const fnIds = Object.keys(template.findResources('AWS::Lambda::Function'));
    expect(resources).toEqual(fnIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })));
    const integrations = Object.values(template.findResources('AWS::ApiGatewayV2::Integration'));
    expect(
      integrations.every(
        (i) => JSON.stringify(i.Properties.CredentialsArn) === JSON.stringify({ 'Fn::GetAtt': [roleId, 'Arn'] }),
      ),
    ).toBe(true);
    // AND the API's own invoke role, with no function in its stack and no Lambda authorizer, may invoke nothing
    const parentRoles = Template.fromStack(stack).findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'apigateway.amazonaws.com' } }] } },
    });
    expect(Object.values(parentRoles).map((r) => r.Properties.Policies)).toEqual([undefined]);
  });

  test("THEN the API's composite alarm rolls up its own critical alarms and one composite alarm per nested stack, which rolls up its functions' and notifies no one", () => {
    const parent = Template.fromStack(stack);
    const [root] = Object.values(parent.findResources('AWS::CloudWatch::CompositeAlarm'));
    const rule = JSON.stringify(root.Properties.AlarmRule);
    // 16 nested stacks' composite alarms and the 5 critical alarms of the API and table (the 429 alarm is a warning)
    expect(rule.match(/ALARM\(/g)).toHaveLength(16 + 5);
    expect(rule.match(/Outputs\./g)).toHaveLength(16);
    const nested = nestedStacks(stack).map((s) => Template.fromStack(s));
    for (const template of nested) {
      const [group] = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'));
      const functionCount = Object.keys(template.findResources('AWS::Lambda::Function')).length;
      expect(JSON.stringify(group.Properties.AlarmRule).match(/ALARM\(/g)).toHaveLength(functionCount);
      expect(group.Properties.AlarmActions).toBeUndefined();
      expect(group.Properties.AlarmName).toMatch(/-Unhealthy-Stack\d+$/);
    }
    // AND api.alarms holds every alarm: 8 of the API and table, one per function, one per nested stack
    expect(api.alarms).toHaveLength(8 + 250 + 16);
  });

  test("THEN one dashboard draws a row of four graphs per nested stack, and its status widget the API alarms and the stacks' composite alarms: at most 100", () => {
    const parent = Template.fromStack(stack);
    const dashboards = Object.values(parent.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0].Properties.DashboardBody);
    expect(body.match(/Functions of Stack\d+: error rate/g)).toHaveLength(16);
    expect(body).not.toContain('"Functions: error rate');
    for (const template of nestedStacks(stack).map((s) => Template.fromStack(s))) {
      expect(template.findResources('AWS::CloudWatch::Dashboard')).toEqual({});
    }
  });
});

describe('GIVEN nested stacks', () => {
  test('WHEN a function is added THEN no existing function changes stack or logical ids', () => {
    const before = placement(build(functions(range(40)), { stacks: ApiStacks.nested() }).api);
    const { api } = build(functions(range(40)), { stacks: ApiStacks.nested() });
    api.addFunction('fn40', functions([40]).fn40);
    const after = placement(api);
    expect(Object.keys(after)).toHaveLength(41);
    for (const name of Object.keys(before)) expect(after[name]).toEqual(before[name]);
    expect(new Set(Object.values(before).map((p) => p.stack)).size).toBeGreaterThan(8);
  });

  test('WHEN a function is removed THEN no other function changes stack or logical ids', () => {
    const before = placement(build(functions(range(40)), { stacks: ApiStacks.nested() }).api);
    const after = placement(build(functions(range(40).filter((i) => i !== 7)), { stacks: ApiStacks.nested() }).api);
    delete before.fn7;
    expect(after).toEqual(before);
  });

  test('WHEN the stack a name hashes to is full THEN the function goes to the next stack with room', () => {
    // GIVEN 60 functions of 4 routes, every name hashing to stack 0 of 2: 60 x 9 = 540 resources, over 480
    const names = range(400)
      .filter((i) => nameHash(`fn${i}`) % 2 === 0)
      .slice(0, 60);
    const { stack, api } = build(functions(names), { stacks: ApiStacks.nested({ stackCount: 2 }) });
    const [first, second] = nestedStacks(stack).sort((a, b) => a.node.id.localeCompare(b.node.id));
    expect([first.node.id, second.node.id]).toEqual(['Stack0', 'Stack1']);
    expect(total(resourceTypeCounts(Template.fromStack(first)))).toBeLessThanOrEqual(480);
    // THEN the first functions stay home and the last ones spill over, in declaration order
    const stackOf = api.functions.map((f) => Stack.of(f).node.id);
    const firstSpilled = stackOf.indexOf('Stack1');
    expect(firstSpilled).toBeGreaterThan(40);
    expect(stackOf.slice(firstSpilled).every((id) => id === 'Stack1')).toBe(true);
  });

  test('WHEN one stack cannot hold the functions THEN synth names it and says how to fit', () => {
    expect(() =>
      Template.fromStack(build(functions(range(60)), { stacks: ApiStacks.nested({ stackCount: 1 }) }).stack),
    ).toThrow(
      /`stacks.stackCount` must spread the route functions so each nested stack holds at most 500 resources: Stack0 holds 542 for its 60 functions; raise `stackCount` \(this moves most functions to other stacks once\) or serve the routes with fewer functions, got: 542 resources/,
    );
  });

  test.each([0, 65, 1.5])('WHEN stackCount is %p THEN synth refuses it', (stackCount) => {
    expect(() => build(functions([0]), { stacks: ApiStacks.nested({ stackCount }) })).toThrow(
      `\`stacks.stackCount\` must be a whole number between 1 and 64, got: ${stackCount}`,
    );
  });
});

describe('GIVEN the default ApiStacks.auto()', () => {
  test('WHEN the functions fit one stack THEN there is no nested stack', () => {
    const { stack } = build(functions(range(50)));
    expect(nestedStacks(stack)).toEqual([]);
    expect(resourceTypeCounts(Template.fromStack(stack))['AWS::Lambda::Function']).toBe(50);
  });

  test('WHEN ApiStacks.single() is forced on 100 functions THEN the one-stack budget error says what costs what and names nested stacks', () => {
    expect(() => Template.fromStack(build(functions(range(100)), { stacks: ApiStacks.single() }).stack)).toThrow(
      /must fit CloudFormation's 500 resources per stack: this API makes \d+ of the stack's \d+: 500 for its 100 route functions, about 5 each, .* or put the functions in nested stacks \(`stacks: ApiStacks.nested\(\)`\), got: \d+ resources/,
    );
  });
});

/**
 * CloudWatch takes at most 100 alarms and 10,240 characters in a composite alarm's rule:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html
 */
describe('GIVEN one stack whose composite alarm would pass CloudWatch limits', () => {
  test('WHEN it would name more than 100 alarms THEN synth refuses it and names nested stacks, whose alarms roll up per stack', () => {
    // GIVEN 96 functions of one route: 96 function alarms and the 5 critical alarms of the API and table
    const stack = new Stack(new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } }), 'Test');
    new ServerlessApi(stack, 'Api', {
      authorization: jwt(),
      stacks: ApiStacks.single(),
      functions: Object.fromEntries(range(96).map((i) => [`fn${i}`, fn([route(HttpMethod.GET, `/fn${i}`)])])),
    });
    expect(() => Template.fromStack(stack)).toThrow(
      "`alarms.compositeAlarm` can roll up at most 100 alarms (CloudWatch's limit): set `compositeAlarm: false`, disable per-function alarms, or put the functions in nested stacks (`stacks: ApiStacks.nested()`), whose alarms roll up per stack, got: 101 critical alarms",
    );
  });

  test('WHEN its rule could pass 10,240 characters THEN synth refuses it, counting each alarm ARN with a 14-character region', () => {
    // GIVEN 60 functions with 40-character names under a 100-character API name: 65 alarms of about 150 characters
    const { stack } = build(
      Object.fromEntries(
        range(60).map((i) => [`f${String(i).padStart(39, 'x')}`, fn([route(HttpMethod.GET, `/f${i}`)])]),
      ),
      { apiName: 'a'.repeat(100) },
    );
    expect(() => Template.fromStack(stack)).toThrow(
      /`alarms.compositeAlarm` must have a rule of at most 10240 characters \(CloudWatch's limit\): shorten `apiName` or the function names, or set `compositeAlarm: false`, got: up to \d+ characters for 65 alarms/,
    );
  });
});
