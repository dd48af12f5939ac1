import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { AccessPattern, ServerlessApi } from '../../src';
import { formatSummary, summarizeTemplate, type CfnTemplate } from '../../src/cli/summary';
import { fn, jwt, newStack, route } from '../helpers/api';

/**
 * A partition key without parameters puts every item of its pattern in one partition, which serves at most 3,000
 * reads and 1,000 writes per second however large the table is.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html
 */

function synth(patterns: { [name: string]: AccessPattern }) {
  const stack = newStack();
  new ServerlessApi(stack, 'Api', {
    authorization: jwt(),
    accessPatterns: patterns,
    functions: { orders: fn([route(HttpMethod.POST, '/orders')], { accessPatterns: Object.keys(patterns) }) },
  });
  return stack;
}

const HOT =
  '`accessPatterns.recordOrder` puts every item in one partition: its partition key "ORDERS" has no parameter, and one partition serves at most 3,000 reads and 1,000 writes per second. Put a parameter in it that spreads the load (such as "ORDERS#{day}"), spread its writes over shards (`shards: 10` with the partition key "ORDERS#{shard}"), or set `singleton: true` if one partition is the design.';

describe('GIVEN a pattern whose partition key has no parameter', () => {
  const stack = synth({ recordOrder: AccessPattern.putItem({ partitionKey: 'ORDERS', sortKey: 'ORDER#{orderId}' }) });

  test('THEN synth warns, naming the pattern, the limit and the ways out (a parameter, shards, singleton)', () => {
    Annotations.fromStack(stack).hasWarning(
      '/Test/Api',
      Match.stringLikeRegexp(HOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
    );
  });

  test('THEN the summary marks it ONE (hot) and warns', () => {
    const summary = summarizeTemplate(Template.fromStack(stack).toJSON() as CfnTemplate, 'Test');
    expect(formatSummary(summary)).toMatch(
      /recordOrder +PutItem +- +PK = ORDERS AND SK = ORDER#\{orderId\} +ONE \(hot\)/,
    );
    expect(summary.warnings).toContain(
      'access pattern recordOrder: WARNING: every item in one partition (PK = ORDERS AND SK = ORDER#{orderId}), which serves at most 3,000 reads and 1,000 writes per second: a hot partition under load (give it a parameter, or `shards`)',
    );
  });
});

describe('GIVEN a deliberate singleton', () => {
  const stack = synth({
    readConfig: AccessPattern.getItem({ partitionKey: 'CONFIG', sortKey: 'FLAGS', singleton: true }),
  });

  test('THEN there is no warning, and the summary says it is a singleton', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    const summary = summarizeTemplate(Template.fromStack(stack).toJSON() as CfnTemplate, 'Test');
    expect(formatSummary(summary)).toContain('one (singleton)');
    expect(summary.warnings.filter((w) => w.includes('one partition'))).toEqual([]);
  });
});

describe('GIVEN patterns whose partition keys have parameters', () => {
  test('THEN no warning', () => {
    const stack = synth({
      recordOrder: AccessPattern.putItem({ partitionKey: 'ORDERS#{day}', sortKey: 'ORDER#{orderId}' }),
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('WHEN one says singleton THEN synth refuses it: its items spread over many partitions', () => {
    expect(() =>
      synth({ p: AccessPattern.getItem({ partitionKey: 'USER#{userId}', sortKey: 'PROFILE', singleton: true }) }),
    ).toThrow(
      '`accessPatterns.p.singleton` must be left out: the partition key "USER#{userId}" has parameters, so its items spread over many partitions, got: true',
    );
  });
});

describe('GIVEN Contributor Insights, to name the hot keys', () => {
  const build = (table: object) => {
    const stack = newStack();
    new ServerlessApi(stack, 'Api', {
      authorization: jwt(),
      table,
      accessPatterns: { byDay: AccessPattern.query({ partitionKey: 'DAY#{day}', indexName: 'byDay' }) },
      functions: { orders: fn([route(HttpMethod.GET, '/orders')], { accessPatterns: ['byDay'] }) },
    });
    return Template.fromStack(stack).findResources('AWS::DynamoDB::GlobalTable');
  };
  const replicaOf = (tables: { [id: string]: any }) => Object.values(tables)[0].Properties.Replicas[0];

  test('THEN it is off by default: it is billed per event it analyses', () => {
    const replica = replicaOf(build({}));
    expect(replica.ContributorInsightsSpecification).toBeUndefined();
    expect(replica.GlobalSecondaryIndexes?.[0]?.ContributorInsightsSpecification).toBeUndefined();
  });

  test('WHEN a mode is chosen THEN the table and every index run it', () => {
    const replica = replicaOf(build({ contributorInsights: dynamodb.ContributorInsightsMode.THROTTLED_KEYS }));
    const spec = { Enabled: true, Mode: 'THROTTLED_KEYS' };
    expect(replica.ContributorInsightsSpecification).toEqual(spec);
    expect(replica.GlobalSecondaryIndexes).toEqual([{ IndexName: 'byDay', ContributorInsightsSpecification: spec }]);
  });

  test('WHEN the mode is not one DynamoDB knows THEN synth names the prop', () => {
    expect(() => build({ contributorInsights: 'ALL' })).toThrow(
      '`table.contributorInsights` must be a dynamodb.ContributorInsightsMode (ACCESSED_AND_THROTTLED_KEYS, THROTTLED_KEYS), got: "ALL"',
    );
  });
});
