import { CostRoute } from '../../../../src/cli/summary/cost/inputs';
import { DEFAULT_TRAFFIC, TrafficProfile } from '../../../../src/cli/summary/cost/traffic';
import { usageOf } from '../../../../src/cli/summary/cost/usage';
import { StackSummary } from '../../../../src/cli/summary/stack';
import { fn, inputs } from '../../../helpers/cost';

/** The parts of a stack summary the usage reads, empty unless given. */
function summaryOf(parts: Record<string, unknown> = {}): StackSummary {
  const empty = { stackName: 'S', queues: [], accessPatterns: [], streams: [], tables: [], functions: [] };
  return { ...empty, events: { publishers: [], rules: [], buses: [] }, ...parts } as unknown as StackSummary;
}

const route = (key: string, fnName?: string, authorizer?: string): CostRoute => ({
  api: 'api',
  apiType: 'HTTP',
  key,
  function: fnName,
  authorizerFunction: authorizer,
});

const traffic = (overrides: Partial<TrafficProfile>): TrafficProfile => ({ ...DEFAULT_TRAFFIC, ...overrides });

describe('the month of usage a traffic profile gives', () => {
  const routes = [
    route('GET /a', 'reader', 'auth'),
    route('POST /a', 'writer', 'auth'),
    route('GET /b', 'reader'),
    route('GET /c', 'reader'),
  ];
  const given = inputs({
    apis: [{ name: 'api', type: 'HTTP' }],
    routes,
    functions: [fn('reader', 128), fn('writer', 128), fn('auth', 128)],
  });

  test('requests: a route with requestsPerMonth keeps it, shares take their part, the others split the rest', () => {
    const used = usageOf(
      given,
      summaryOf(),
      traffic({ requestsPerMonth: 1000, routes: { 'GET /a': { requestsPerMonth: 50 }, 'POST /a': { share: 0.4 } } }),
    );
    expect([...used.routeRequests.values()]).toEqual([50, 400, 300, 300]);
    expect(used.apiRequests.get('api')).toBe(1050);
  });

  test('a Lambda authorizer is invoked for each request of the routes it guards', () => {
    const used = usageOf(given, summaryOf(), traffic({ requestsPerMonth: 400 }));
    expect(Object.fromEntries(used.invocations)).toEqual({ reader: 300, writer: 100, auth: 200 });
  });

  test('queue messages come from the senders, the worker runs once per batch', () => {
    const queue = { name: 'jobs', fifo: true, senders: ['writer'], workers: [{ function: 'worker', batchSize: 5 }] };
    const used = usageOf(
      given,
      summaryOf({ queues: [queue] }),
      traffic({ requestsPerMonth: 400, messagesPerSenderInvocation: 2 }),
    );
    expect(used.invocations.get('worker')).toBe(40);
    // 200 messages sent, received and deleted in 40 batches.
    expect(used.queues).toEqual([{ name: 'jobs', fifo: true, requests: 280 }]);
  });

  test('events from the publishers invoke each rule target that is a function', () => {
    const events = {
      publishers: [{ function: 'writer', bus: 'bus', sources: [], detailTypes: [] }],
      rules: [
        {
          name: 'r',
          targets: [
            { target: 'listener', isFunction: true },
            { target: 'queue', isFunction: false },
          ],
        },
      ],
      buses: [],
    };
    const used = usageOf(given, summaryOf({ events }), traffic({ requestsPerMonth: 400 }));
    expect(used.events).toBe(100);
    expect(used.invocations.get('listener')).toBe(100);
  });

  test("one DynamoDB call per invocation, spread over the function's declared patterns; a pattern's own rate wins", () => {
    const functions = [{ ...fn('reader', 128), patterns: ['list', 'get'], table: 't' }];
    const summary = summaryOf({
      accessPatterns: [
        { name: 'list', operation: 'Query', functions: ['reader'] },
        { name: 'get', operation: 'GetItem', functions: ['reader'] },
      ],
      tables: [{ name: 't' }],
    });
    const table = { name: 't', onDemand: true, pointInTimeRecovery: false, replicas: 2, globalIndexes: 1 };
    const withTable = inputs({ ...given, functions, tables: [table] });
    // 300 reader invocations: 150 queries of 10 x 1 KB (3 RRU, eventually consistent: 1.5) and 150 gets (0.5 RRU).
    expect(usageOf(withTable, summary, traffic({ requestsPerMonth: 400 })).tables).toEqual([
      { name: 't', readUnits: 150 * 1.5 + 150 * 0.5, writeUnits: 0, storedGb: 2 },
    ]);
    const set = traffic({
      requestsPerMonth: 400,
      accessPatterns: { get: { callsPerInvocation: 2, consistency: 'strong' } },
    });
    expect(usageOf(withTable, summary, set).tables[0].readUnits).toBe(150 * 1.5 + 600 * 1);
  });

  test('a write is counted on each index and each replica', () => {
    const functions = [{ ...fn('writer', 128), patterns: ['put'], table: 't' }];
    const summary = summaryOf({
      accessPatterns: [{ name: 'put', operation: 'PutItem', functions: ['writer'] }],
      tables: [{ name: 't' }],
    });
    const table = { name: 't', onDemand: true, pointInTimeRecovery: false, replicas: 2, globalIndexes: 1 };
    const used = usageOf(
      inputs({ ...given, functions, tables: [table] }),
      summary,
      traffic({ requestsPerMonth: 400, itemKb: 1.5 }),
    );
    // 100 puts of 2 KB (rounded up): 2 WRU each, on the table and its index, in two regions.
    expect(used.tables[0].writeUnits).toBe(100 * 2 * 2 * 2);
  });

  test("a function's invocationsPerMonth replaces the count and drives what it sends", () => {
    const queue = { name: 'jobs', fifo: false, senders: ['writer'], workers: [{ function: 'worker', batchSize: 10 }] };
    const profile = traffic({ requestsPerMonth: 400, functions: { writer: { invocationsPerMonth: 1000 } } });
    const used = usageOf(given, summaryOf({ queues: [queue] }), profile);
    expect(used.invocations.get('writer')).toBe(1000);
    expect(used.invocations.get('worker')).toBe(100);
  });

  test('a name the template does not have is refused with the names it has', () => {
    expect(() => usageOf(given, summaryOf(), traffic({ routes: { 'GET /z': { share: 0.1 } } }))).toThrow(
      'traffic `routes.GET /z` matches nothing in stack S: use one of GET /a, POST /a, GET /b, GET /c',
    );
  });
});
