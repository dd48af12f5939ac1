/**
 * The calculator against AWS's published pricing examples (us-east-1), within 2%. Where a pricing page's worked
 * example could not be read here, the test prices the page's documented unit prices and says so.
 */

import { estimateCost, EstimateOptions, gbSeconds, tracesRecorded } from '../../../../src/cli/summary/cost/estimate';
import { CostInputs } from '../../../../src/cli/summary/cost/inputs';
import { US_EAST_1 } from '../../../../src/cli/summary/cost/prices';
import { DEFAULT_TRAFFIC } from '../../../../src/cli/summary/cost/traffic';
import { unitsPerCall, Usage, usageOf } from '../../../../src/cli/summary/cost/usage';
import { StackSummary } from '../../../../src/cli/summary/stack';
import { expectWithin2Percent, fn, inputs, usage } from '../../../helpers/cost';

const OPTIONS: EstimateOptions = {
  prices: US_EAST_1,
  trafficDescription: 'test',
  includeFreeTiers: false,
  logCompressionRatio: 0.2,
  monthlyActiveUsers: 0,
  kmsRequestsPerKey: 0,
};

/** The estimate's lines of one service, summed. */
function serviceCost(service: string, given: CostInputs, used: Usage, options: Partial<EstimateOptions> = {}): number {
  return estimateCost(given, used, { ...OPTIONS, ...options })
    .lines.filter((line) => line.service === service)
    .reduce((sum, line) => sum + line.monthlyUsd, 0);
}

/** The parts of a stack summary the usage reads, empty unless given. */
function summaryOf(parts: Partial<StackSummary> = {}): StackSummary {
  const empty = { stackName: 'S', queues: [], accessPatterns: [], streams: [], tables: [], functions: [] };
  return { ...empty, events: { publishers: [], rules: [], buses: [] }, ...parts } as unknown as StackSummary;
}

function api(type: 'HTTP' | 'REST', requests: number): [CostInputs, Usage] {
  return [inputs({ apis: [{ name: 'api', type }] }), usage({ apiRequests: new Map([['api', requests]]) })];
}

describe('API Gateway: https://aws.amazon.com/api-gateway/pricing/', () => {
  test('REST example: "receives five million API calls per month ... 3 KB ... no caching": API call charges $17.50', () => {
    // The page's example: "5 million * $3.50/million = $17.50"; data transfer out ($1.29) is not estimated.
    expectWithin2Percent(serviceCost('API Gateway', ...api('REST', 5_000_000)), 17.5);
  });

  test('REST tiers (documented unit prices: $3.50 first 333M, $2.80 next 667M, $2.38 next 19B): 1.5B calls', () => {
    // 333M x $3.50 + 667M x $2.80 + 500M x $2.38 = $1,165.50 + $1,867.60 + $1,190.00
    expectWithin2Percent(serviceCost('API Gateway', ...api('REST', 1_500_000_000)), 4223.1);
  });

  test('HTTP tiers (documented unit prices: $1.00 first 300M, $0.90 after): 432M requests', () => {
    // 300M x $1.00 + 132M x $0.90, the page's "132 million * $0.90/million (over 300 million)".
    expectWithin2Percent(serviceCost('API Gateway', ...api('HTTP', 432_000_000)), 418.8);
  });

  test('HTTP APIs are metered in 512 KB increments: a 513 KB request counts twice', () => {
    const route = { api: 'api', apiType: 'HTTP' as const, key: 'POST /upload', function: undefined };
    const traffic = { ...DEFAULT_TRAFFIC, requestsPerMonth: 1000, routes: { 'POST /upload': { payloadKb: 513 } } };
    const used = usageOf(inputs({ apis: [{ name: 'api', type: 'HTTP' }], routes: [route] }), summaryOf(), traffic);
    expect(used.apiRequests.get('api')).toBe(2000);
  });
});

describe('Lambda: https://aws.amazon.com/lambda/pricing/', () => {
  test('Example 1: "512MB ... executed it 3 million times in one month, and it ran for 1 second each time": $18.74 with the free tier', () => {
    // "Monthly compute charges = 1,100,000 * $0.00001667 = $18.34", "Monthly request charges = 2M * $0.2/M = $0.40",
    // "Total charges = ... $18.74 per month" (1M requests and 400,000 GB-s free).
    const given = inputs({ functions: [fn('backend', 512)] });
    const used = usage({ invocations: new Map([['backend', 3_000_000]]), durationMs: new Map([['backend', 1000]]) });
    expectWithin2Percent(serviceCost('Lambda', given, used, { includeFreeTiers: true }), 18.74);
    expectWithin2Percent(serviceCost('Lambda', given, used), 18.74 + 400_000 * 0.00001667 + 0.2);
  });

  test('Arm (documented unit price $0.0000133334 per GB-s): the same workload on arm64 costs 20% less compute', () => {
    const given = inputs({ functions: [fn('backend', 512, 'arm64')] });
    const used = usage({ invocations: new Map([['backend', 3_000_000]]), durationMs: new Map([['backend', 1000]]) });
    expectWithin2Percent(serviceCost('Lambda', given, used), 1_500_000 * 0.0000133334 + 0.6);
  });

  test('duration is rounded up to the next 1 ms', () => {
    expect(gbSeconds({ memoryMb: 1024 }, 1000, 1.2)).toBeCloseTo(2, 10);
  });
});

describe('DynamoDB: https://aws.amazon.com/dynamodb/pricing/on-demand/ and /provisioned/', () => {
  // The provisioned page's key terms: "a strongly consistent read of an 8 KB item would require two RCUs, an eventually
  // consistent read of an 8 KB item would require one RCU, and a transactional read of an 8 KB item would require four
  // RCUs"; "a standard write request of a 3 KB item would require three WCUs ... a transactional write request of a
  // 3 KB item would require six WCUs". Request units follow the same rounding.
  test.each([
    ['GetItem', { itemKb: 8, consistency: 'strong' as const }, [2, 0]],
    ['GetItem', { itemKb: 8, consistency: 'eventual' as const }, [1, 0]],
    ['GetItem', { itemKb: 8, consistency: 'transactional' as const }, [4, 0]],
    ['PutItem', { itemKb: 3 }, [0, 3]],
    ['PutItem', { itemKb: 3, consistency: 'transactional' as const }, [0, 6]],
    ['TransactWriteItems', { itemKb: 3 }, [0, 6]],
    ['Query', { itemKb: 1, items: 10, consistency: 'strong' as const }, [3, 0]],
  ])('%s %j uses %j request units', (operation, given, expected) => {
    expect(unitsPerCall(operation, given, DEFAULT_TRAFFIC)).toEqual(expected);
  });

  test('on-demand (documented unit prices $0.625 per million WRU, $0.125 per million RRU), storage $0.25, PITR $0.20', () => {
    const given = inputs({
      tables: [{ name: 't', onDemand: true, pointInTimeRecovery: true, replicas: 1, globalIndexes: 0 }],
    });
    const used = usage({ tables: [{ name: 't', readUnits: 10_000_000, writeUnits: 4_000_000, storedGb: 10 }] });
    expectWithin2Percent(serviceCost('DynamoDB', given, used), 1.25 + 2.5 + 2.5 + 2.0);
  });

  test('provisioned (documented unit prices $0.00065 per WCU-hour, $0.00013 per RCU-hour): 100 RCU + 100 WCU for 730 hours', () => {
    const table = { name: 't', onDemand: false, pointInTimeRecovery: false, replicas: 1, globalIndexes: 0 };
    const given = inputs({ tables: [{ ...table, provisioned: { rcu: 100, wcu: 100, autoScaled: false } }] });
    const used = usage({ tables: [{ name: 't', readUnits: 0, writeUnits: 0, storedGb: 0 }] });
    expectWithin2Percent(serviceCost('DynamoDB', given, used), 730 * (100 * 0.00013 + 100 * 0.00065));
  });
});

describe('CloudWatch: https://aws.amazon.com/cloudwatch/pricing/', () => {
  // Worked examples could not be read here: documented unit prices ($0.10 per standard alarm metric, $0.30 high
  // resolution, $0.50 composite, $3.00 per dashboard, $0.30 per custom metric, $0.50 per GB ingested, $0.03 per GB
  // stored) and the page's free tier: "3 Custom Dashboards", "10 Alarm metrics", "5 GB Data (ingestion, archive ...)".
  const given = inputs({
    alarms: [
      { name: 'math', kind: 'metric', metrics: 3, highResolution: false },
      { name: 'fast', kind: 'metric', metrics: 1, highResolution: true },
      { name: 'all', kind: 'composite', metrics: 0, highResolution: false },
    ],
    dashboards: 4,
    customMetrics: 2,
  });
  const used = usage({ logs: [{ name: 'l', ingestedGb: 30, retentionDays: 30 }] });

  test('alarms per metric by resolution, composites, dashboards, custom metrics, 30 GB of logs kept 30 days', () => {
    // 3 x $0.10 + $0.30 + $0.50 + 4 x $3.00 + 2 x $0.30 + 30 x $0.50 + (30 GB compressed to 6 GB, kept a month) x $0.03
    expectWithin2Percent(
      serviceCost('CloudWatch', given, used),
      0.3 + 0.3 + 0.5 + 12 + 0.6 + 15 + 6 * (30 / (365 / 12)) * 0.03,
    );
  });

  test('with the free tier: 3 dashboards, 10 alarm metrics (3 here), 10 custom metrics (2 here) and 5 GB of logs off', () => {
    const without = serviceCost('CloudWatch', given, used);
    expectWithin2Percent(
      without - serviceCost('CloudWatch', given, used, { includeFreeTiers: true }),
      9 + 0.3 + 0.6 + 2.5,
    );
  });
});

describe('X-Ray: https://aws.amazon.com/xray/pricing/ (documented unit price $5.00 per million traces recorded)', () => {
  test('the default sampling rule records the first request each second and 5% of the rest', () => {
    expect(tracesRecorded(1_000_000)).toBe(1_000_000);
    expect(tracesRecorded(12_628_000)).toBeCloseTo(2_628_000 + 500_000, 6);
  });
});

describe('KMS: https://aws.amazon.com/kms/pricing/', () => {
  // The page: "Each AWS KMS key that you create in KMS costs $1/month", "20,000 free ... requests each month";
  // the request price ($0.03 per 10,000 symmetric requests) is its documented unit price: no worked example was read.
  test('2 keys and 2,000,000 requests: $2 + $6; the free tier takes 20,000 requests off', () => {
    const given = inputs({ kmsKeys: 2 });
    expectWithin2Percent(serviceCost('KMS', given, usage(), { kmsRequestsPerKey: 1_000_000 }), 8);
    expectWithin2Percent(
      serviceCost('KMS', given, usage(), { kmsRequestsPerKey: 1_000_000, includeFreeTiers: true }),
      7.94,
    );
  });
});

describe('Secrets Manager: https://aws.amazon.com/secrets-manager/pricing/', () => {
  // No worked example was read here: documented unit prices, $0.40 per secret per month and $0.05 per 10,000 API calls.
  test('100 secrets and 1,000,000 API calls: $40 + $5', () => {
    expectWithin2Percent(
      serviceCost('Secrets Manager', inputs({ secrets: 100 }), usage({ secretCalls: 1_000_000 })),
      45,
    );
  });
});

describe('Cognito: https://aws.amazon.com/cognito/pricing/', () => {
  // No worked example was read here: documented unit prices per MAU (Essentials $0.015, Plus $0.02, Lite $0.0055 for
  // 10,001-100,000 and $0.0046 for the next 900,000) and the free tier of 10,000 MAUs for Lite and Essentials.
  test.each([
    ['ESSENTIALS', false, 1500],
    ['ESSENTIALS', true, 1350],
    ['PLUS', true, 2000],
    ['LITE', true, 495],
  ])('100,000 MAUs on %s (free tier deducted: %s) cost $%d', (tier, includeFreeTiers, published) => {
    const given = inputs({ userPools: [{ name: 'users', tier }] });
    const cost = serviceCost('Cognito', given, usage(), { monthlyActiveUsers: 100_000, includeFreeTiers });
    expectWithin2Percent(cost, published);
  });
});

describe('SQS: https://aws.amazon.com/sqs/pricing/', () => {
  // Documented: "$0.40 per million requests" (standard, 1M-100B), "$0.50" (FIFO), and "Each 64 KB chunk of a payload is
  // billed as 1 request (for example, an API action with a 256 KB payload is billed as 4 requests)".
  test('1M messages of 256 KB sent, received and deleted in batches of 10: 4 requests each to send, 0.8 to work', () => {
    const queue = { name: 'q', fifo: false, senders: [], workers: [{ function: 'w', batchSize: 10 }] };
    const traffic = { ...DEFAULT_TRAFFIC, queues: { q: { messagesPerMonth: 1_000_000, messageKb: 256 } } };
    const used = usageOf(inputs(), summaryOf({ queues: [queue] as unknown as StackSummary['queues'] }), traffic);
    expect(used.queues).toEqual([{ name: 'q', fifo: false, requests: 4_800_000 }]);
    expectWithin2Percent(serviceCost('SQS', inputs(), used), 1.92);
    expectWithin2Percent(serviceCost('SQS', inputs(), { ...used, queues: [{ ...used.queues[0], fifo: true }] }), 2.4);
  });
});
