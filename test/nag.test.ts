import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ServerlessApi } from '../src';
import { defaultProps, fullyConfigured, newStack } from './util';

/** Every finding of both packs that no acknowledgement covers, as "rule: construct path". */
function unacknowledgedFindings(stack: Stack): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(stack)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName}: ${r.constructPath}`)),
  );
}

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** The acknowledgements recorded under `scope`, with paths relative to it. */
function acknowledgements(scope: IConstruct): Acknowledgement[] {
  const found = new Map<string, Acknowledgement>();
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [qualifiedId, reason] of Object.entries(entry.data as { [id: string]: string })) {
        const id = qualifiedId.replace(/^annotation::/i, '');
        const path = construct.node.path.slice(scope.node.path.length + 1);
        found.set(`${path} ${id}`, { path, id, reason });
      }
    }
  }
  return [...found.values()];
}

/** What every route function acknowledges, and why it may. */
const FUNCTION_ACKNOWLEDGEMENTS = (name: string) => [
  { path: `Functions/${name}/Role`, id: 'AwsSolutions-IAM5[Resource::*]' },
  { path: `Functions/${name}/Role`, id: 'Serverless-LambdaStarPermissions' },
  { path: `Functions/${name}/Function`, id: 'Serverless-LambdaDLQ' },
];

const byPathAndId = (a: { path: string; id: string }, b: { path: string; id: string }) =>
  `${a.path} ${a.id}`.localeCompare(`${b.path} ${b.id}`);

describe('cdk-nag AwsSolutions and Serverless checks', () => {
  test('the packs do report findings and honour acknowledgements (so zero findings below means something)', () => {
    // GIVEN a topic that allows plain HTTP
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Plain');
    expect(unacknowledgedFindings(stack)).toContain('AwsSolutions-SNS3: Test/Plain/Resource');

    // WHEN the finding is acknowledged
    Validations.of(topic).acknowledge({ id: 'AwsSolutions-SNS3', reason: 'test' });

    // THEN it is gone
    expect(unacknowledgedFindings(stack)).not.toContain('AwsSolutions-SNS3: Test/Plain/Resource');
  });

  describe('the default API', () => {
    let stack: Stack;
    let api: ServerlessApi;
    beforeAll(() => {
      stack = newStack();
      api = new ServerlessApi(stack, 'Api', defaultProps());
    });

    test('has no unacknowledged finding', () => {
      expect(unacknowledgedFindings(stack)).toEqual([]);
    });

    test('acknowledges only what route functions cannot avoid, each with a reason', () => {
      const found = acknowledgements(api);
      expect(found.map(({ path, id }) => ({ path, id })).sort(byPathAndId)).toEqual(
        FUNCTION_ACKNOWLEDGEMENTS('items').sort(byPathAndId),
      );
      found.forEach((ack) => expect(ack.reason.length).toBeGreaterThan(30));
    });
  });

  describe('the fully configured API', () => {
    let stack: Stack;
    let api: ServerlessApi;
    beforeAll(() => {
      ({ stack, api } = fullyConfigured());
    });

    test('has no unacknowledged finding', () => {
      expect(unacknowledgedFindings(stack)).toEqual([]);
    });

    test('acknowledges, besides the route functions, only the public route, each with a reason', () => {
      const found = acknowledgements(api);
      expect(found.map(({ path, id }) => ({ path, id })).sort(byPathAndId)).toEqual(
        [
          ...FUNCTION_ACKNOWLEDGEMENTS('tasks'),
          ...FUNCTION_ACKNOWLEDGEMENTS('webhooks'),
          { path: 'Routes/POST --webhooks--{provider}', id: 'AwsSolutions-APIG4' },
        ].sort(byPathAndId),
      );
      found.forEach((ack) => expect(ack.reason.length).toBeGreaterThan(30));
      expect(found.find((ack) => ack.id === 'AwsSolutions-APIG4')!.reason).toContain('POST /webhooks/{provider}');
    });

    test('keeps point-in-time recovery on (cdk-nag DDB3 only looks at AWS::DynamoDB::Table, not GlobalTable)', () => {
      const tables = Template.fromStack(stack).findResources('AWS::DynamoDB::GlobalTable');
      const replicas = Object.values(tables).flatMap((t) => t.Properties.Replicas);
      expect(replicas).toHaveLength(1);
      replicas.forEach((replica) =>
        expect(replica.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true }),
      );
    });
  });
});
