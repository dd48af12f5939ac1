/** Renders a stack summary as plain aligned text. */

import { AlarmSummary } from './alarms';
import { RouteSummary, ThrottleSummary } from './api';
import { DynamoStatementSummary } from './iam';
import { humanSeconds } from './queues';
import { StackSummary } from './stack';

/** Left-aligned columns separated by two spaces; the last column is not padded so lines carry no trailing blanks. */
export function formatTable(headers: string[], rows: string[][], indent = '  '): string[] {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  return [headers, ...rows].map(
    (row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '),
  );
}

function formatThrottle(throttle: ThrottleSummary | undefined): string {
  if (throttle === undefined) return 'stage default';
  return `${throttle.rateLimit ?? 'unlimited'} req/s, burst ${throttle.burstLimit ?? 'unlimited'}`;
}

function formatRetention(days: number | undefined): string {
  return days === undefined ? 'NEVER EXPIRES' : `${days} days`;
}

function formatApis(summary: StackSummary): string[] {
  const lines = ['API'];
  if (summary.apis.length === 0) lines.push('  (none)');
  for (const api of summary.apis) {
    lines.push(`  ${api.name} (${api.protocol}, ${api.logicalId})`);
    for (const stage of api.stages) {
      const throttle = stage.throttle ? formatThrottle(stage.throttle) : 'WARNING: no throttling';
      lines.push(`    stage ${stage.name}: ${throttle}`);
      const retention = stage.accessLogGroup ? ` (${formatRetention(stage.accessLogRetentionDays)})` : '';
      const format = stage.accessLogFormat ? `, ${stage.accessLogFormat}` : '';
      lines.push(`    access log: ${stage.accessLogGroup ?? 'WARNING: none'}${retention}${format}`);
    }
    for (const domain of api.customDomains ?? []) {
      lines.push(`    custom domain: ${domain.url} (${domain.securityPolicy})`);
    }
    if (api.executeApiDisabled) lines.push('    execute-api endpoint: disabled (custom domains only)');
    for (const authorizer of api.authorizers) {
      const audience = authorizer.audience.length > 0 ? `, audience ${authorizer.audience.join(', ')}` : '';
      const issuer = authorizer.issuer ? `: issuer ${authorizer.issuer}` : '';
      lines.push(`    authorizer ${authorizer.name} (${authorizer.type})${issuer}${audience}`);
    }
  }
  return lines;
}

function formatAuthorization(route: RouteSummary): string {
  if (route.authorization === 'PUBLIC' || route.authorization === 'IAM') return route.authorization;
  const scopes = route.scopes.length > 0 ? ` [${route.scopes.join(', ')}]` : '';
  return `${route.authorization} ${route.authorizer ?? '?'}${scopes}`;
}

function formatRoutes(summary: StackSummary): string[] {
  const multipleApis = summary.apis.length > 1;
  const headers = [...(multipleApis ? ['API'] : []), 'ROUTE', 'FUNCTION', 'AUTHORIZATION', 'THROTTLE'];
  const rows = summary.routes.map((route) => [
    ...(multipleApis ? [route.api] : []),
    `${route.method} ${route.path}`.trim(),
    route.target,
    formatAuthorization(route),
    formatThrottle(route.throttle),
  ]);
  return [`Routes (${rows.length})`, ...(rows.length > 0 ? formatTable(headers, rows) : ['  (none)'])];
}

function formatDynamoStatement(statement: DynamoStatementSummary): string[] {
  const actions = statement.actions.map((action) => action.replace(/^dynamodb:/i, '')).join(', ');
  const deny = statement.effect === 'Allow' ? '' : `${statement.effect.toUpperCase()} `;
  const keys = statement.leadingKeys.length > 0 ? `; keys ${statement.leadingKeys.join(', ')}` : '';
  const others = statement.otherConditions.length > 0 ? `; conditions ${statement.otherConditions.join(', ')}` : '';
  return [
    `    dynamodb${statement.asCaller ? ' (as the caller)' : ''}: ${deny}${actions} on ${statement.targets.join(', ')}${keys}${others}`,
    ...statement.warnings.map((warning) => `      ${warning}`),
  ];
}

function formatOtherActions(actions: string[]): string {
  const byService = new Map<string, string[]>();
  for (const action of actions) {
    const [service, name] = action.includes(':') ? action.split(':') : ['*', action];
    byService.set(service, [...(byService.get(service) ?? []), name]);
  }
  return [...byService].map(([service, names]) => `${service}: ${names.join(', ')}`).join('; ');
}

function formatFunctions(summary: StackSummary): string[] {
  const lines = [`Functions (${summary.functions.length})`];
  for (const fn of summary.functions) {
    const reserved = fn.reservedConcurrency === undefined ? '' : `, reserved concurrency ${fn.reservedConcurrency}`;
    lines.push(`  ${fn.name} (${fn.logicalId})`);
    lines.push(`    ${fn.runtime}, ${fn.architecture}, ${fn.memoryMb} MB, ${fn.timeoutSeconds} s timeout${reserved}`);
    const logGroup = fn.logGroup ? `${fn.logGroup}, ${formatRetention(fn.logRetentionDays)}` : 'none managed';
    lines.push(`    logs: ${logGroup}, format ${fn.logFormat}`);
    if (fn.dynamodb.length === 0) lines.push('    dynamodb: none');
    lines.push(...fn.dynamodb.flatMap(formatDynamoStatement));
    if (fn.worksQueues.length > 0) lines.push(`    worker of queue ${fn.worksQueues.join(', ')}`);
    if (fn.sendsTo.length > 0) lines.push(`    sends to queues: ${fn.sendsTo.join(', ')}`);
    if (fn.otherActions.length > 0) lines.push(`    other actions: ${formatOtherActions(fn.otherActions)}`);
    if (fn.managedPolicies.length > 0) lines.push(`    managed policies: ${fn.managedPolicies.join(', ')}`);
    lines.push(...fn.warnings.map((warning) => `    ${warning}`));
  }
  return lines;
}

function formatQueues(summary: StackSummary): string[] {
  const lines = [`Queues (${summary.queues.length})`];
  if (summary.queues.length === 0) lines.push('  (none)');
  for (const queue of summary.queues) {
    lines.push(`  ${queue.name} (${queue.fifo ? 'FIFO' : 'standard'}, ${queue.logicalId})`);
    const dlq = queue.deadLetterQueue;
    const receives = dlq?.maxReceiveCount === undefined ? '' : ` after ${dlq.maxReceiveCount} receives`;
    lines.push(
      `    dead-letter queue: ${dlq ? `${dlq.name}${receives}, kept ${humanSeconds(dlq.retentionSeconds)}` : 'NONE'}`,
    );
    lines.push(
      `    visibility timeout ${humanSeconds(queue.visibilityTimeoutSeconds)}, retention ${humanSeconds(queue.retentionSeconds)}, encryption ${queue.encryption}`,
    );
    for (const worker of queue.workers) {
      const batch = [
        `batches of ${worker.batchSize ?? 10}`,
        ...(worker.maxBatchingWindowSeconds ? [`gathered up to ${humanSeconds(worker.maxBatchingWindowSeconds)}`] : []),
        ...(worker.maxConcurrency ? [`at most ${worker.maxConcurrency} at once`] : []),
        worker.reportsBatchItemFailures ? 'failed messages reported one by one' : 'a failure returns the whole batch',
      ];
      lines.push(`    worked by: ${worker.function} (${batch.join(', ')})`);
    }
    lines.push(`    sent to by: ${queue.senders.join(', ') || 'no function of this template'}`);
  }
  return lines;
}

function formatTables(summary: StackSummary): string[] {
  const lines = [`Tables (${summary.tables.length})`];
  const onOff = (value: boolean) => (value ? 'on' : 'off');
  for (const table of summary.tables) {
    const replicas = table.replicas.length > 0 ? `, replicas ${table.replicas.join(', ')}` : '';
    lines.push(`  ${table.name} (${table.type}, ${table.logicalId}${replicas})`);
    lines.push(`    keys: ${table.keys}`);
    lines.push(`    billing: ${table.billingMode}${table.capacity ? `; ${table.capacity}` : ''}`);
    for (const idx of table.indexes) {
      const capacity = idx.capacity ? `; ${idx.capacity}` : '';
      lines.push(`    ${idx.kind} ${idx.name}: ${idx.keys}; projection ${idx.projection}${capacity}`);
    }
    lines.push(`    ttl: ${table.ttlAttribute ?? 'off'}`);
    lines.push(`    point-in-time recovery: ${onOff(table.pointInTimeRecovery)}`);
    lines.push(`    deletion protection: ${onOff(table.deletionProtection)}`);
    lines.push(`    encryption: ${table.encryption}`);
    lines.push(`    deletion policy: ${table.deletionPolicy}`);
  }
  return lines;
}

/** How many partitions a pattern's items spread over: a hot partition shows at a glance. */
function partitionsOf(pattern: StackSummary['accessPatterns'][number]): string {
  if (pattern.operation === 'Scan') return 'all';
  if (pattern.singlePartition === 'hot') return 'ONE (hot)';
  if (pattern.singlePartition === 'singleton') return 'one (singleton)';
  if (pattern.shards !== undefined) return `${pattern.shards} shards`;
  return 'many';
}

function formatAccessPatterns(summary: StackSummary): string[] {
  const multipleApis = new Set(summary.accessPatterns.map((p) => p.api)).size > 1;
  const headers = [
    ...(multipleApis ? ['API'] : []),
    'PATTERN',
    'OPERATION',
    'INDEX',
    'KEY CONDITION',
    'PARTITIONS',
    'FUNCTIONS',
    'ACTIONS',
  ];
  const rows = summary.accessPatterns.map((pattern) => [
    ...(multipleApis ? [pattern.api] : []),
    pattern.name,
    pattern.operation,
    pattern.index ?? '-',
    pattern.keyCondition,
    partitionsOf(pattern),
    pattern.functions.join(', ') || 'UNUSED',
    pattern.actions.map((action) => action.replace(/^dynamodb:/, '')).join(', '),
  ]);
  return [`Access patterns (${rows.length})`, ...(rows.length > 0 ? formatTable(headers, rows) : ['  (none)'])];
}

function formatIsolation(summary: StackSummary): string[] {
  const multipleApis = new Set(summary.isolation.map((p) => p.api)).size > 1;
  const rows = summary.isolation.map((prefix) => [
    ...(multipleApis ? [prefix.api] : []),
    prefix.prefix,
    Object.entries(prefix.writers)
      .map(([fn, patterns]) => `${fn} (${patterns.join(', ')})`)
      .join(', ') || 'UNUSED',
    prefix.callerBound.join(', ') || '-',
  ]);
  const headers = [...(multipleApis ? ['API'] : []), 'PARTITION PREFIX', 'WRITTEN BY', 'BOUND TO THE CALLER'];
  return [
    `Partition isolation (${rows.length})`,
    ...(rows.length > 0
      ? [
          "  IAM bounds partition keys, not sort keys: functions writing one prefix can overwrite each other's items there",
          ...formatTable(headers, rows),
        ]
      : ['  (none)']),
  ];
}

function formatEvents(summary: StackSummary): string[] {
  const { buses, rules, publishers } = summary.events;
  if (!buses.length && !rules.length && !publishers.length) return ['Events', '  (none)'];
  const seconds = (value: number | undefined) => (value === undefined ? 'default' : `${value} s`);
  const lines = ['Events'];
  for (const bus of buses) {
    const archive =
      bus.archiveRetentionDays === undefined ? 'no archive' : `archive kept ${bus.archiveRetentionDays} days`;
    lines.push(`  bus ${bus.name} (${bus.logicalId}): ${archive}`);
  }
  for (const rule of rules) {
    const types = rule.detailTypes.length ? ` (${rule.detailTypes.join(', ')})` : '';
    const detail = rule.detailFilter ? ', detail filtered' : '';
    lines.push(`  rule ${rule.name} on bus ${rule.bus}: ${rule.sources.join(', ') || 'any source'}${types}${detail}`);
    for (const t of rule.targets) {
      const delivery = `${t.retryAttempts ?? 'default'} retries within ${seconds(t.maxEventAgeSeconds)}, then ${t.deadLetterQueue ?? 'DROPPED'}`;
      const own = t.isFunction
        ? `; the function: ${t.functionRetryAttempts ?? 2} retries within ${seconds(t.functionMaxEventAgeSeconds)}, then ${t.onFailure ?? 'DROPPED'}`
        : '';
      lines.push(`    -> ${t.target}: ${delivery}${own}`);
    }
  }
  if (publishers.length) {
    const rows = publishers.map((p) => [
      p.function,
      p.bus,
      p.sources.join(', ') || 'ANY',
      p.detailTypes.join(', ') || 'ANY',
    ]);
    lines.push('  publishers:', ...formatTable(['FUNCTION', 'BUS', 'SOURCES', 'DETAIL TYPES'], rows, '    '));
  }
  return lines;
}

function formatStreams(summary: StackSummary): string[] {
  const rows = summary.streams.map((w) => [
    w.function,
    `${w.table}${w.viewType ? ` (${w.viewType})` : ''}`,
    w.filters.join(' OR ') || 'every record',
    `${w.batchSize ?? 100} from ${w.startingPosition ?? '?'}`,
    `${w.retryAttempts === undefined || w.retryAttempts < 0 ? 'until expiry' : w.retryAttempts}${w.bisectBatchOnError ? ', bisect' : ''}`,
    w.onFailure ?? 'DROPPED',
  ]);
  const headers = ['WORKER', 'STREAM OF', 'FILTERS', 'BATCH', 'RETRIES', 'ON FAILURE'];
  return [`Table streams (${rows.length})`, ...(rows.length > 0 ? formatTable(headers, rows) : ['  (none)'])];
}

function formatLogGroups(summary: StackSummary): string[] {
  const rows = summary.logGroups.map((group) => [
    group.name,
    formatRetention(group.retentionDays),
    group.usedBy.join(', ') || '-',
  ]);
  const table = rows.length > 0 ? formatTable(['LOG GROUP', 'RETENTION', 'USED BY'], rows) : ['  (none)'];
  return [`Log groups (${rows.length})`, ...table];
}

/** Who hears of an alarm: its own ALARM actions, and the composite alarms that roll it up. */
function formatAlarmActions(alarm: AlarmSummary): string {
  const targets = [...alarm.alarmActions, ...alarm.rolledInto.map((composite) => `rolled into ${composite}`)];
  return targets.join(', ') || '-';
}

function formatAlarms(summary: StackSummary): string[] {
  const rows = summary.alarms.map((alarm) => [alarm.name, alarm.watches, alarm.firesWhen, formatAlarmActions(alarm)]);
  const table = rows.length > 0 ? formatTable(['NAME', 'WATCHES', 'FIRES WHEN', 'ACTIONS'], rows) : ['  (none)'];
  return [`Alarms (${rows.length})`, ...table];
}

function formatMonitoring(summary: StackSummary): string[] {
  const { dashboards, topics, metricFilters } = summary.monitoring;
  const lines = [
    ...dashboards.map((dashboard) => `  dashboard ${dashboard.name}`),
    ...topics.map((topic) => {
      const subscriptions =
        topic.subscriptions.length > 0
          ? `subscriptions ${topic.subscriptions.join(', ')}`
          : 'no subscriptions in this template';
      const encryption = topic.encryption === 'none' ? 'NOT encrypted' : `encrypted with ${topic.encryption}`;
      return `  topic ${topic.name}: ${encryption}; ${subscriptions}`;
    }),
    ...metricFilters.map(
      (filter) =>
        `  metric filter on ${filter.logGroup}: ${filter.pattern || '(every event)'} -> ${filter.metrics.join(', ')}`,
    ),
  ];
  return ['Monitoring', ...(lines.length > 0 ? lines : ['  (none)'])];
}

function formatResources(summary: StackSummary): string[] {
  const { total, byType, routes, functions } = summary.resources;
  const rows = Object.entries(byType)
    .sort(([typeA, a], [typeB, b]) => b - a || typeA.localeCompare(typeB))
    .map(([type, count]) => [type, String(count)]);
  return [
    `Resources (${total} total; routes: ${routes}, functions: ${functions})`,
    ...formatTable(['TYPE', 'COUNT'], rows),
  ];
}

/** Renders one stack summary as plain aligned text. */
export function formatSummary(summary: StackSummary): string {
  const sections = [
    [`Stack ${summary.stackName}`, '='.repeat(`Stack ${summary.stackName}`.length)],
    formatApis(summary),
    formatRoutes(summary),
    formatFunctions(summary),
    formatQueues(summary),
    formatAccessPatterns(summary),
    formatIsolation(summary),
    formatTables(summary),
    formatEvents(summary),
    formatStreams(summary),
    formatLogGroups(summary),
    formatAlarms(summary),
    formatMonitoring(summary),
    formatResources(summary),
    [`Warnings (${summary.warnings.length})`, ...summary.warnings.map((warning) => `  - ${warning}`)],
  ];
  return sections.map((lines) => lines.join('\n')).join('\n\n') + '\n';
}
