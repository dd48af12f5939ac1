import { AccessPattern, AccessPatternOperation } from './access-pattern';
import { CallerAttribute, CallerAttributeSource } from './caller-attribute';
import { INDEX_NAME, INDEX_RULE, TableKeyModel } from './table-builder';
import { ExistingTableOptions, TableOptions } from './table-options';
import { checkShardAgreement, checkShards } from './write-sharding';
import {
  DYNAMODB_DELETE_ACTIONS,
  DYNAMODB_GET_ACTIONS,
  DYNAMODB_PUT_ACTIONS,
  DYNAMODB_QUERY_ACTIONS,
  DYNAMODB_SCAN_ACTIONS,
  DYNAMODB_UPDATE_ACTIONS,
} from '../private/iam-actions';
import { checkPattern, fail, IDENTIFIER_NAME, IDENTIFIER_NAME_RULE, isLiteral } from '../private/validation';
import {
  AccessPatternDescriptor,
  callerLeadingKeysPattern,
  keyShapeParams,
  leadingKeysPattern,
  parseKeyShape,
  shardLeadingKeysPatterns,
} from '../shared/key-shape';

/** The IAM actions each operation grants: one source of truth for roles, summaries and docs. */
export const OPERATION_ACTIONS: { readonly [operation in AccessPatternOperation]: readonly string[] } = {
  [AccessPatternOperation.GET_ITEM]: DYNAMODB_GET_ACTIONS,
  [AccessPatternOperation.QUERY]: DYNAMODB_QUERY_ACTIONS,
  [AccessPatternOperation.PUT_ITEM]: DYNAMODB_PUT_ACTIONS,
  [AccessPatternOperation.UPDATE_ITEM]: DYNAMODB_UPDATE_ACTIONS,
  [AccessPatternOperation.DELETE_ITEM]: DYNAMODB_DELETE_ACTIONS,
  [AccessPatternOperation.SCAN]: DYNAMODB_SCAN_ACTIONS,
};

const WRITE_OPERATIONS: readonly AccessPatternOperation[] = [
  AccessPatternOperation.PUT_ITEM,
  AccessPatternOperation.UPDATE_ITEM,
  AccessPatternOperation.DELETE_ITEM,
];

/** An access pattern bound to the table: attribute names, IAM actions and the LeadingKeys it allows. */
export interface ResolvedAccessPattern {
  readonly name: string;
  readonly pattern: AccessPattern;
  readonly operation: AccessPatternOperation;
  readonly indexName?: string;
  /** Attribute of the partition key: the table's, or the index's on an index. */
  readonly partitionKeyAttribute?: string;
  readonly sortKeyAttribute?: string;
  /**
   * The `dynamodb:LeadingKeys` patterns; absent for a Scan, which IAM cannot limit. One for most patterns; for a
   * caller-bound pattern it names the session tags (`USER#${aws:PrincipalTag/userId}`); a sharded pattern has one per
   * shard (`ORDERS#0` ... `ORDERS#9`).
   */
  readonly leadingKeys?: readonly string[];
  /** The number of write shards, when the pattern is sharded. */
  readonly shards?: number;
  /** Partition key parameters bound to the verified caller: the pattern is granted to the caller role only. */
  readonly callerBound?: { readonly [param: string]: CallerAttribute };
  /** The partition key has no parameter: every item of the pattern is in one partition. */
  readonly singlePartition: boolean;
  readonly actions: readonly string[];
  readonly writes: boolean;
  /** The key condition, in the notation of the access-pattern table. */
  readonly keyCondition: string;
}

/** Checks every pattern against the table before anything is built. */
export function validateAccessPatterns(
  patterns: { readonly [name: string]: AccessPattern },
  table: TableOptions | undefined,
  existing: ExistingTableOptions | undefined,
): void {
  for (const [name, pattern] of Object.entries(patterns)) {
    const at = `accessPatterns.${name}`;
    checkPattern('accessPatterns', name, IDENTIFIER_NAME, IDENTIFIER_NAME_RULE);
    if (pattern.operation !== AccessPatternOperation.SCAN) {
      checkShape(`${at}.partitionKey`, pattern.partitionKey);
      const shape = pattern.partitionKey!;
      if (!('literal' in parseKeyShape(shape)[0])) {
        fail(
          `${at}.partitionKey`,
          'start with a literal prefix such as "PROJECT#", so IAM can limit the role to it with dynamodb:LeadingKeys (a leading {param} would match every partition)',
          shape,
        );
      }
      if (pattern.operation === AccessPatternOperation.QUERY) {
        if (pattern.sortKey !== undefined) checkShape(`${at}.sortKeyPrefix`, pattern.sortKey);
      } else {
        checkShape(`${at}.sortKey`, pattern.sortKey);
      }
      // Before the caller-bound and singleton checks: each names the other props `shards` cannot go with.
      checkShards(at, pattern);
      checkCallerBound(at, shape, pattern.callerBound);
      checkSingleton(at, shape, pattern.singleton);
    }
    const indexName = pattern.indexName;
    if (indexName === undefined) continue;
    checkPattern(`${at}.indexName`, indexName, INDEX_NAME, INDEX_RULE);
    if (existing) {
      const declared = existing.globalSecondaryIndexes ?? [];
      const index = declared.find((i) => i.indexName === indexName);
      if (!index) {
        const names = declared.length ? declared.map((i) => JSON.stringify(i.indexName)).join(', ') : 'none';
        fail(
          `${at}.indexName`,
          `name an index of the existing table listed in \`existingTable.globalSecondaryIndexes\` (listed: ${names})`,
          indexName,
        );
      }
      checkIndexSortKey(at, pattern, index.sortKey);
    } else {
      const declared = table?.globalSecondaryIndexes?.find((i) => i.indexName === indexName);
      if (declared) checkIndexSortKey(at, pattern, declared.sortKey);
    }
  }
  checkShardAgreement(patterns);
}

/** `singleton` says a shape without parameters is one partition on purpose; on any other shape it is a mistake. */
function checkSingleton(at: string, shape: string, singleton: boolean | undefined): void {
  if (singleton === undefined) return;
  if (typeof singleton !== 'boolean') fail(`${at}.singleton`, 'be true or false', singleton);
  if (singleton && keyShapeParams(shape).length > 0) {
    fail(
      `${at}.singleton`,
      `be left out: the partition key ${JSON.stringify(shape)} has parameters, so its items spread over many partitions`,
      singleton,
    );
  }
}

/** Caller-bound parameters must be parameters of the partition key, each bound to an attribute of the caller. */
function checkCallerBound(at: string, shape: string, bound: { [param: string]: CallerAttribute } | undefined): void {
  if (bound === undefined) return;
  if (typeof bound !== 'object' || bound === null || Array.isArray(bound)) {
    fail(`${at}.callerBound`, 'map partition key parameters to CallerAttribute values', bound);
  }
  const params = keyShapeParams(shape);
  for (const [param, attribute] of Object.entries(bound)) {
    const prop = `${at}.callerBound.${param}`;
    if (!params.includes(param)) {
      const listed = params.length ? params.map((p) => `{${p}}`).join(', ') : 'none';
      fail(
        `${at}.callerBound`,
        `name parameters of the partition key ${JSON.stringify(shape)} (its parameters: ${listed}); sort keys cannot be bound, IAM conditions only see partition keys`,
        param,
      );
    }
    if (!(attribute instanceof CallerAttribute)) {
      fail(prop, 'be a CallerAttribute, such as CallerAttribute.id() or CallerAttribute.claim("tenantId")', attribute);
    }
    if (attribute.source !== CallerAttributeSource.ID) {
      const name = attribute.name;
      if (typeof name !== 'string' || !isLiteral(name) || !/^[\w.:/=+@-]{1,128}$/.test(name)) {
        fail(
          prop,
          `name a ${attribute.source === CallerAttributeSource.CLAIM ? 'claim' : 'context field'} of 1 to 128 letters, digits or _.:/=+@-`,
          name,
        );
      }
    }
  }
}

function checkShape(prop: string, shape: string | undefined): void {
  if (shape === undefined || !isLiteral(shape) || shape === '') {
    fail(prop, 'be a literal key shape such as "PROJECT#{projectId}"', shape);
  }
  try {
    parseKeyShape(shape);
  } catch (error) {
    const reason = (error as Error).message.replace(/^key shape "(?:[^"\\]|\\.)*": /, '');
    fail(prop, `be literal text with {param} placeholders: ${reason}`, shape);
  }
}

function checkIndexSortKey(at: string, pattern: AccessPattern, sortKey: string | undefined): void {
  if (pattern.sortKey !== undefined && sortKey === undefined) {
    fail(
      `${at}.sortKeyPrefix`,
      `be left out: index ${JSON.stringify(pattern.indexName)} has no sort key`,
      pattern.sortKey,
    );
  }
}

/** Binds each pattern to the table's attribute names. Patterns must have passed `validateAccessPatterns`. */
export function resolveAccessPatterns(
  patterns: { readonly [name: string]: AccessPattern },
  model: TableKeyModel,
): Map<string, ResolvedAccessPattern> {
  const resolved = new Map<string, ResolvedAccessPattern>();
  for (const [name, pattern] of Object.entries(patterns)) {
    const index = pattern.indexName ? model.indexes.find((i) => i.indexName === pattern.indexName) : undefined;
    const partitionKeyAttribute =
      pattern.operation === AccessPatternOperation.SCAN ? undefined : (index?.partitionKey ?? model.partitionKey);
    const sortKeyAttribute = pattern.sortKey === undefined ? undefined : index ? index.sortKey : model.sortKey;
    resolved.set(name, {
      name,
      pattern,
      operation: pattern.operation,
      indexName: pattern.indexName,
      partitionKeyAttribute,
      sortKeyAttribute,
      leadingKeys: leadingKeysOf(pattern),
      ...(pattern.shards !== undefined ? { shards: pattern.shards } : {}),
      ...(boundParams(pattern).length ? { callerBound: pattern.callerBound } : {}),
      singlePartition: pattern.partitionKey !== undefined && keyShapeParams(pattern.partitionKey).length === 0,
      actions: OPERATION_ACTIONS[pattern.operation],
      writes: WRITE_OPERATIONS.includes(pattern.operation),
      keyCondition: keyCondition(pattern, partitionKeyAttribute, sortKeyAttribute),
    });
  }
  return resolved;
}

function boundParams(pattern: AccessPattern): string[] {
  return Object.keys(pattern.callerBound ?? {});
}

function leadingKeysOf(pattern: AccessPattern): string[] | undefined {
  if (pattern.partitionKey === undefined) return undefined;
  // Exact shard numbers rather than `?*`: the role reaches the declared shards and no partition beside them.
  if (pattern.shards !== undefined) return shardLeadingKeysPatterns(pattern.partitionKey, pattern.shards);
  const bound = boundParams(pattern);
  return [
    bound.length ? callerLeadingKeysPattern(pattern.partitionKey, bound) : leadingKeysPattern(pattern.partitionKey),
  ];
}

/** How the runtime reads a caller attribute: `id`, `claim:<name>` or `context:<name>`. */
export function callerAttributeDescriptor(attribute: CallerAttribute): string {
  return attribute.source === CallerAttributeSource.ID ? 'id' : `${attribute.source}:${attribute.name}`;
}

function keyCondition(pattern: AccessPattern, pk: string | undefined, sk: string | undefined): string {
  if (pattern.partitionKey === undefined || pk === undefined) return '(none: every item)';
  const partition = `${pk} = ${pattern.partitionKey}`;
  if (pattern.sortKey === undefined || sk === undefined) return partition;
  return pattern.operation === AccessPatternOperation.QUERY
    ? `${partition} AND begins_with(${sk}, ${pattern.sortKey})`
    : `${partition} AND ${sk} = ${pattern.sortKey}`;
}

/** What a handler learns of one of its patterns at run time (see `shared/key-shape.ts`). */
export function accessPatternDescriptor(resolved: ResolvedAccessPattern): AccessPatternDescriptor {
  return {
    operation: resolved.operation,
    ...(resolved.indexName ? { index: resolved.indexName } : {}),
    ...(resolved.partitionKeyAttribute && resolved.pattern.partitionKey
      ? { partitionKey: [resolved.partitionKeyAttribute, resolved.pattern.partitionKey] as const }
      : {}),
    ...(resolved.sortKeyAttribute && resolved.pattern.sortKey
      ? { sortKey: [resolved.sortKeyAttribute, resolved.pattern.sortKey] as const }
      : {}),
    ...(resolved.callerBound
      ? {
          caller: Object.fromEntries(
            Object.entries(resolved.callerBound).map(([param, attribute]) => [
              param,
              callerAttributeDescriptor(attribute),
            ]),
          ),
        }
      : {}),
    ...(resolved.shards !== undefined ? { shards: resolved.shards } : {}),
  };
}
