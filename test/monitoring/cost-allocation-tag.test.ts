import { App, CfnResource, Stack, TagManager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { CostAllocationTag, ServerlessApi, ServerlessApiProps } from '../../src';
import { buildApi, expectError } from '../helpers/api';
import { CONFORMANCE_APPS } from '../helpers/conformance/apps';

/**
 * The cost-allocation tag on every resource the API creates: Cost Explorer and AWS Budgets filter on it once it is
 * activated in the Billing console (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html).
 */

/** Apps that together create every kind of resource the library makes. */
const FULL_APPS = [
  'task-board',
  'rest-features',
  'rest-lambda-token',
  'http-cognito',
  'http-queues',
  'http-events',
  'http-table-stream',
];

interface Tagged {
  readonly path: string;
  readonly type: string;
  /** The tags in the template, wherever the resource type keeps them. */
  readonly tags: { [key: string]: string };
  /** Whether a ServerlessApi created it. */
  readonly underApi: boolean;
}

/** Tags as CloudFormation writes them: a list of `{ Key, Value }` or a map. */
function tagsOf(tags: unknown): { [key: string]: string } {
  if (Array.isArray(tags)) return Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value]));
  return (tags as { [key: string]: string }) ?? {};
}

/** Every taggable resource of the stack, with the tags the template gives it. */
function taggableResources(stack: Stack): Tagged[] {
  const template = Template.fromStack(stack).toJSON();
  return stack.node
    .findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c))
    .filter((resource) => TagManager.isTaggable(resource) || TagManager.isTaggableV2(resource))
    .map((resource) => {
      const props = template.Resources[stack.resolve(resource.logicalId)].Properties ?? {};
      // A TableV2 keeps its tags on each replica; a user pool under `UserPoolTags` (its manager's property name).
      const property = TagManager.of(resource)!.tagPropertyName;
      const tags =
        resource.cfnResourceType === 'AWS::DynamoDB::GlobalTable'
          ? props.Replicas[0].Tags
          : props[property.charAt(0).toUpperCase() + property.slice(1)];
      return {
        path: resource.node.path,
        type: resource.cfnResourceType,
        tags: tagsOf(tags),
        underApi: resource.node.scopes.some((scope: IConstruct) => scope instanceof ServerlessApi),
      };
    });
}

function synthesizeApp(name: string): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return CONFORMANCE_APPS.find((conformanceApp) => conformanceApp.name === name)!.build(app);
}

describe('the default cost-allocation tag', () => {
  test.each(FULL_APPS)('is on every taggable resource the API creates in the app %s', (name) => {
    // GIVEN
    const stack = synthesizeApp(name);
    const apis = stack.node.findAll().filter((c): c is ServerlessApi => c instanceof ServerlessApi);
    const resources = taggableResources(stack).filter((resource) => resource.underApi);

    // THEN
    expect(apis.length).toBeGreaterThan(0);
    expect(resources.length).toBeGreaterThan(10);
    const untagged = resources.filter((resource) => !Object.keys(resource.tags).includes('serverless-api'));
    expect(untagged.map((resource) => `${resource.type} ${resource.path}`)).toEqual([]);
  });

  test('is valued with the API name', () => {
    // GIVEN
    const { stack } = buildApi({ apiName: 'shop' });

    // THEN
    const values = new Set(taggableResources(stack).map((resource) => resource.tags['serverless-api']));
    expect([...values]).toEqual(['shop']);
  });

  test('is on none of the resources of the stack the API did not create', () => {
    // GIVEN
    const stack = synthesizeApp('http-queues');

    // THEN
    const others = taggableResources(stack).filter((resource) => !resource.underApi);
    expect(others.map((resource) => resource.type)).toEqual(['AWS::KMS::Key']);
    expect(others[0].tags).toEqual({});
  });
});

describe('costAllocationTag', () => {
  test('CostAllocationTag.of(key, value) tags every resource with that key and value instead', () => {
    // GIVEN
    const { stack } = buildApi({ apiName: 'shop', costAllocationTag: CostAllocationTag.of('cost-center', 'web-shop') });

    // THEN
    for (const resource of taggableResources(stack)) {
      expect(resource.tags['cost-center']).toBe('web-shop');
      expect(resource.tags['serverless-api']).toBeUndefined();
    }
  });

  test('CostAllocationTag.of(key) values the key with the API name', () => {
    // GIVEN
    const { stack } = buildApi({ apiName: 'shop', costAllocationTag: CostAllocationTag.of('application') });

    // THEN
    for (const resource of taggableResources(stack)) expect(resource.tags.application).toBe('shop');
  });

  test('CostAllocationTag.none() puts no tag', () => {
    // GIVEN
    const { stack } = buildApi({ costAllocationTag: CostAllocationTag.none() });

    // THEN
    for (const resource of taggableResources(stack)) expect(resource.tags).toEqual({});
  });

  const refused: [string, Partial<ServerlessApiProps>, string][] = [
    [
      'a key AWS reserves',
      { costAllocationTag: CostAllocationTag.of('aws:team') },
      '`costAllocationTag.key` must not start with "aws:", which AWS reserves, got: "aws:team"',
    ],
    [
      'an empty key',
      { costAllocationTag: CostAllocationTag.of('') },
      '`costAllocationTag.key` must be 1 to 128 letters, digits, spaces or `_ . : / = + - @`, got: ""',
    ],
    [
      'a key with a character tags refuse',
      { costAllocationTag: CostAllocationTag.of('team$name') },
      '`costAllocationTag.key` must be 1 to 128 letters, digits, spaces or `_ . : / = + - @`, got: "team$name"',
    ],
    [
      'a value longer than 256 characters',
      { costAllocationTag: CostAllocationTag.of('team', 'x'.repeat(257)) },
      `\`costAllocationTag.value\` must be at most 256 letters, digits, spaces or \`_ . : / = + - @\`, got: "${'x'.repeat(257)}"`,
    ],
    [
      'an API name that cannot value the tag',
      { apiName: 'shop!' },
      '`apiName` must be at most 256 letters, digits, spaces or `_ . : / = + - @` to value the cost-allocation tag: rename the API, or give the tag a value with `costAllocationTag: CostAllocationTag.of(key, value)`, got: "shop!"',
    ],
  ];
  test.each(refused)('refuses %s', (_, props, message) => {
    expectError(props, message);
  });

  test('accepts an API name that cannot value the tag when the tag has its own value', () => {
    expect(() => buildApi({ apiName: 'shop!', costAllocationTag: CostAllocationTag.of('team', 'shop') })).not.toThrow();
  });
});
