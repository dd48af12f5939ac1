/**
 * Monthly usage of each billed unit, from what the template defines and a traffic profile: requests per route,
 * invocations and GB-seconds per function, DynamoDB request units per table, messages, events and log bytes.
 * Prices come later (estimate.ts), so the what-if block can re-price the same usage.
 */

import { UsageError } from '../../../assembly/assembly';
import { StackSummary } from '../stack';
import { CostInputs, CostRoute } from './inputs';
import { AccessPatternTraffic, Consistency, TrafficProfile } from './traffic';

export interface TableUsage {
  readonly name: string;
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly storedGb: number;
}

export interface LogUsage {
  readonly name: string;
  readonly ingestedGb: number;
  /** Undefined: never expires. */
  readonly retentionDays?: number;
}

export interface Usage {
  readonly routeRequests: ReadonlyMap<CostRoute, number>;
  /** Billed API requests per API (HTTP APIs meter each 512 KB as one request). */
  readonly apiRequests: ReadonlyMap<string, number>;
  readonly invocations: ReadonlyMap<string, number>;
  readonly durationMs: ReadonlyMap<string, number>;
  readonly tables: TableUsage[];
  /** SQS requests per queue (a request per 64 KB). */
  readonly queues: { readonly name: string; readonly fifo: boolean; readonly requests: number }[];
  readonly events: number;
  readonly logs: LogUsage[];
  readonly secretCalls: number;
  readonly tracedInvocations: number;
}

export const GB = 1024 ** 3;
const READ_OPERATIONS = ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems'];
const MULTI_ITEM_READS = ['Query', 'Scan'];
const CONSISTENCY_FACTOR: Record<Consistency, number> = { eventual: 0.5, strong: 1, transactional: 2 };

/** A name of the profile that matches nothing in the template is a typo: refuse it with the names that exist. */
function checkNames(field: string, given: Record<string, unknown>, known: string[], stackName: string): void {
  const unknown = Object.keys(given).find((name) => !known.includes(name));
  if (unknown !== undefined) {
    throw new UsageError(
      `traffic \`${field}.${unknown}\` matches nothing in stack ${stackName}: use one of ${known.join(', ') || '(none)'}`,
    );
  }
}

function routeRequests(routes: CostRoute[], traffic: TrafficProfile): Map<CostRoute, number> {
  const result = new Map<CostRoute, number>();
  const byShare = routes.filter((r) => traffic.routes[r.key]?.requestsPerMonth === undefined);
  const shared = byShare.reduce((sum, r) => sum + (traffic.routes[r.key]?.share ?? 0), 0);
  const unshared = byShare.filter((r) => traffic.routes[r.key]?.share === undefined);
  for (const route of routes) {
    const given = traffic.routes[route.key];
    const requests =
      given?.requestsPerMonth ??
      (given?.share !== undefined
        ? given.share * traffic.requestsPerMonth
        : ((1 - shared) * traffic.requestsPerMonth) / unshared.length);
    result.set(route, requests);
  }
  return result;
}

function add(map: Map<string, number>, key: string | undefined, value: number): void {
  if (key !== undefined) map.set(key, (map.get(key) ?? 0) + value);
}

/** Read and write request units of one call of a pattern (an operation of DynamoDB). */
export function unitsPerCall(
  operation: string,
  given: AccessPatternTraffic,
  traffic: TrafficProfile,
): [number, number] {
  const itemKb = given.itemKb ?? traffic.itemKb;
  const items = given.items ?? (MULTI_ITEM_READS.includes(operation) ? traffic.itemsPerQuery : 1);
  if (READ_OPERATIONS.includes(operation)) {
    const consistency = operation.startsWith('Transact')
      ? 'transactional'
      : (given.consistency ?? traffic.readConsistency);
    // A Query or Scan sums the sizes of the items it returns before rounding up to 4 KB; other reads round each item.
    const units = MULTI_ITEM_READS.includes(operation)
      ? Math.max(1, Math.ceil((items * itemKb) / 4))
      : items * Math.ceil(itemKb / 4);
    return [units * CONSISTENCY_FACTOR[consistency], 0];
  }
  const transactional = operation.startsWith('Transact') || given.consistency === 'transactional';
  return [0, items * Math.ceil(itemKb) * (transactional ? 2 : 1)];
}

/** Computes the month's usage; `summary` is the stack summary of the same template. */
export function usageOf(inputs: CostInputs, summary: StackSummary, traffic: TrafficProfile): Usage {
  const stack = summary.stackName;
  checkNames('routes', traffic.routes, [...new Set(inputs.routes.map((r) => r.key))], stack);
  checkNames(
    'functions',
    traffic.functions,
    inputs.functions.map((f) => f.name),
    stack,
  );
  checkNames(
    'accessPatterns',
    traffic.accessPatterns,
    summary.accessPatterns.map((p) => p.name),
    stack,
  );
  checkNames(
    'queues',
    traffic.queues,
    summary.queues.map((q) => q.name),
    stack,
  );
  checkNames(
    'tables',
    traffic.tables,
    summary.tables.map((t) => t.name),
    stack,
  );

  const requests = routeRequests(inputs.routes, traffic);
  const invocations = new Map<string, number>();
  const apiRequests = new Map<string, number>();
  for (const [route, n] of requests) {
    add(invocations, route.function, n);
    add(invocations, route.authorizerFunction, n);
    const payloadKb = traffic.routes[route.key]?.payloadKb ?? traffic.payloadKb;
    add(apiRequests, route.api, route.apiType === 'HTTP' ? n * Math.ceil(payloadKb / 512) : n);
  }

  // A function's invocations as the profile sets them, else as counted so far: what it causes downstream follows it.
  const invoked = (name: string) => traffic.functions[name]?.invocationsPerMonth ?? invocations.get(name) ?? 0;

  // Queues: messages from their senders' invocations, then their workers' invocations per batch.
  const queues: Usage['queues'] = [];
  for (const queue of summary.queues) {
    const given = traffic.queues[queue.name] ?? {};
    const messages =
      given.messagesPerMonth ??
      queue.senders.reduce((sum, sender) => sum + invoked(sender), 0) * traffic.messagesPerSenderInvocation;
    const chunks = Math.ceil((given.messageKb ?? traffic.messageKb) / 64);
    const batch = queue.workers[0]?.batchSize ?? 10;
    // SendMessage per message; ReceiveMessage and DeleteMessageBatch per batch of the worker.
    const sqsRequests = messages * chunks + (queue.workers.length ? (2 * messages * chunks) / batch : 0);
    queues.push({ name: queue.name, fifo: queue.fifo, requests: sqsRequests });
    for (const worker of queue.workers) add(invocations, worker.function, messages / (worker.batchSize ?? 10));
  }

  // Events: each publisher invocation puts events; each rule with a function target invokes it per event.
  const publishers = [...new Set(summary.events.publishers.map((p) => p.function))];
  const events = publishers.reduce((sum, fn) => sum + invoked(fn), 0) * traffic.eventsPerPublisherInvocation;
  for (const rule of summary.events.rules) {
    for (const target of rule.targets.filter((t) => t.isFunction)) add(invocations, target.target, events);
  }

  // DynamoDB: one call per invocation spread over the patterns the function declares, unless the profile says otherwise.
  const reads = new Map<string, number>();
  const writes = new Map<string, number>();
  const firstTable = summary.tables[0]?.name;
  for (const fn of inputs.functions) {
    const patterns = fn.patterns ?? [];
    for (const name of patterns) {
      const given = traffic.accessPatterns[name] ?? {};
      const calls = invoked(fn.name) * (given.callsPerInvocation ?? 1 / patterns.length);
      const operation = summary.accessPatterns.find((p) => p.name === name)?.operation ?? 'GetItem';
      const [rru, wru] = unitsPerCall(operation, given, traffic);
      add(reads, fn.table ?? firstTable, calls * rru);
      add(writes, fn.table ?? firstTable, calls * wru);
    }
  }
  for (const worker of summary.streams) {
    add(invocations, worker.function, (writes.get(worker.table) ?? 0) / (worker.batchSize ?? 100));
  }

  for (const [name, given] of Object.entries(traffic.functions)) {
    if (given.invocationsPerMonth !== undefined) invocations.set(name, given.invocationsPerMonth);
  }
  const durationMs = new Map(
    inputs.functions.map((f) => [f.name, traffic.functions[f.name]?.durationMs ?? traffic.durationMs]),
  );

  const tables = inputs.tables.map((table) => {
    const indexWrites = 1 + table.globalIndexes;
    return {
      name: table.name,
      readUnits: reads.get(table.name) ?? 0,
      writeUnits: (writes.get(table.name) ?? 0) * indexWrites * table.replicas,
      storedGb: (traffic.tables[table.name]?.storedGb ?? traffic.storedGb) * table.replicas,
    };
  });

  const logs: LogUsage[] = [
    ...inputs.functions.map((f) => ({
      name: f.logGroup ?? `/aws/lambda/${f.name}`,
      ingestedGb:
        ((invocations.get(f.name) ?? 0) *
          (traffic.functions[f.name]?.logBytesPerInvocation ?? traffic.logBytesPerInvocation)) /
        GB,
      retentionDays: f.logRetentionDays,
    })),
    ...inputs.apis
      .filter((api) => api.accessLog !== undefined)
      .map((api) => ({
        name: api.accessLog!.name,
        ingestedGb:
          (inputs.routes.filter((r) => r.api === api.name).reduce((sum, r) => sum + (requests.get(r) ?? 0), 0) *
            traffic.accessLogBytesPerRequest) /
          GB,
        retentionDays: api.accessLog!.retentionDays,
      })),
  ];

  const secretReaders = summary.functions.filter((f) => f.otherActions.includes('secretsmanager:GetSecretValue'));
  return {
    routeRequests: requests,
    apiRequests,
    invocations,
    durationMs,
    tables,
    queues,
    events,
    logs,
    secretCalls:
      secretReaders.reduce((sum, f) => sum + (invocations.get(f.name) ?? 0), 0) * traffic.secretCallsPerInvocation,
    tracedInvocations: inputs.functions
      .filter((f) => f.tracing)
      .reduce((sum, f) => sum + (invocations.get(f.name) ?? 0), 0),
  };
}
