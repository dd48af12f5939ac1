/**
 * The declaration the least-privilege cases are derived from: each route function's
 * `TABLE_ACCESS_PATTERNS` environment variable, and the IAM actions each operation needs.
 *
 * The operation -> action mapping is written here on purpose, independently of `src/`: it is the
 * expected truth the synthesized policies are checked against, not a copy of the code under test.
 */

export const ACCESS_PATTERNS_ENV = 'TABLE_ACCESS_PATTERNS';
export const TABLE_NAME_ENV = 'TABLE_NAME';
/** The role a function with caller-bound patterns assumes with its caller's session tags. */
export const CALLER_ROLE_ENV = 'TABLE_CALLER_ROLE_ARN';

export const OPERATIONS = ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'Scan'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The IAM actions a declared operation needs, and no more. */
export const OPERATION_ACTIONS: { readonly [op in Operation]: readonly string[] } = {
  GetItem: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem'],
  Query: ['dynamodb:Query'],
  PutItem: ['dynamodb:PutItem'],
  UpdateItem: ['dynamodb:UpdateItem'],
  DeleteItem: ['dynamodb:DeleteItem'],
  Scan: ['dynamodb:Scan'],
};

/** Operations that write items: their functions may also encrypt with the table's key. */
export const WRITE_OPERATIONS: readonly Operation[] = ['PutItem', 'UpdateItem', 'DeleteItem'];

/** Operations that can target an index. */
export const INDEX_OPERATIONS: readonly Operation[] = ['Query', 'Scan'];

/** One named access pattern; key shapes are literal text with `{param}` placeholders. */
export interface AccessPattern {
  readonly name: string;
  readonly operation: Operation;
  readonly index?: string;
  readonly partitionKey?: readonly [string, string];
  readonly sortKey?: readonly [string, string];
  /**
   * Partition key parameters bound to the verified caller, and where each value comes from (`id`, `claim:<name>`,
   * `context:<name>`): the pattern belongs to the function's caller role, reached with the caller's session tags.
   */
  readonly caller?: { readonly [param: string]: string };
  /** Write shards: the partition key's `{shard}` is one of 0 to `shards - 1`, and nothing else. */
  readonly shards?: number;
}

/** The partition key parameter a sharded pattern fills in with its shard number. */
export const SHARD_PARAM = 'shard';

/** Where a caller-bound value may come from. */
const CALLER_SOURCE = /^(id|claim:.+|context:.+)$/;

const PLACEHOLDER = /\{[^{}]+\}/g;

/**
 * The access patterns a function declares; `undefined` when it has no `TABLE_ACCESS_PATTERNS` at all.
 * Throws on anything outside the contract, naming the function and the pattern.
 */
export function parseAccessPatterns(
  functionId: string,
  environment: { [name: string]: string },
): AccessPattern[] | undefined {
  const text = environment[ACCESS_PATTERNS_ENV];
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`function ${functionId}: ${ACCESS_PATTERNS_ENV} is not JSON, got: ${text}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`function ${functionId}: ${ACCESS_PATTERNS_ENV} must be a JSON object, got: ${text}`);
  }
  return Object.entries(parsed as Record<string, unknown>).map(([name, value]) =>
    checkPattern(`function ${functionId} pattern "${name}"`, name, value),
  );
}

function checkPattern(at: string, name: string, value: unknown): AccessPattern {
  const pattern = (value ?? {}) as Partial<AccessPattern>;
  const fail = (message: string) => {
    throw new Error(`${at}: ${message}, got: ${JSON.stringify(value)}`);
  };
  if (!OPERATIONS.includes(pattern.operation as Operation)) fail(`operation must be one of ${OPERATIONS.join(', ')}`);
  if (pattern.index !== undefined && !INDEX_OPERATIONS.includes(pattern.operation!)) {
    fail('only Query and Scan can target an index');
  }
  if (pattern.operation !== 'Scan' && pattern.partitionKey === undefined) fail('partitionKey is required but for Scan');
  for (const key of [pattern.partitionKey, pattern.sortKey]) {
    if (key === undefined) continue;
    if (!Array.isArray(key) || key.length !== 2 || key.some((part) => typeof part !== 'string')) {
      fail('a key must be ["<attributeName>", "<keyShape>"]');
    }
    if (literalPrefix(key[1]) === '') fail(`key shape "${key[1]}" must start with a literal prefix`);
  }
  if (pattern.caller !== undefined) {
    const params = (pattern.partitionKey?.[1].match(PLACEHOLDER) ?? []).map((p) => p.slice(1, -1));
    const caller = pattern.caller as unknown;
    if (caller === null || typeof caller !== 'object' || Array.isArray(caller) || !Object.keys(caller).length) {
      fail('caller must map partition key parameters to their source');
    }
    for (const [param, source] of Object.entries(pattern.caller)) {
      if (!params.includes(param)) fail(`caller parameter "${param}" is not a parameter of the partition key`);
      if (typeof source !== 'string' || !CALLER_SOURCE.test(source)) {
        fail(`caller parameter "${param}" must come from id, claim:<name> or context:<name>`);
      }
    }
  }
  if (pattern.shards !== undefined) {
    const params = (pattern.partitionKey?.[1].match(PLACEHOLDER) ?? []).map((p) => p.slice(1, -1));
    if (!Number.isInteger(pattern.shards) || pattern.shards < 2) fail('shards must be a whole number of at least 2');
    if (!params.includes(SHARD_PARAM)) fail(`a sharded partition key must have the {${SHARD_PARAM}} parameter`);
    if (pattern.caller !== undefined) fail('a sharded pattern cannot be caller-bound');
  }
  return { ...pattern, name } as AccessPattern;
}

/**
 * The partition key shapes a pattern may reach: its own, or for a sharded pattern one per shard with `{shard}` filled
 * in (`ORDERS#{shard}` with 3 shards is `ORDERS#0`, `ORDERS#1` and `ORDERS#2`).
 */
export function reachableShapes(pattern: AccessPattern): string[] {
  const shape = pattern.partitionKey![1];
  if (pattern.shards === undefined) return [shape];
  return Array.from({ length: pattern.shards }, (_, shard) => shape.split(`{${SHARD_PARAM}}`).join(`${shard}`));
}

/**
 * Keys of a sharded pattern's partition that no shard is: the shard after the last, a negative one, one with a
 * leading zero, one that is not a number, and none at all (sample values for the other parameters).
 */
export function beyondShards(pattern: AccessPattern): string[] {
  const shape = pattern.partitionKey![1];
  const shards = pattern.shards!;
  return [`${shards}`, `${shards * 10}`, '-1', '00', 's-123', '']
    .map((shard) => sampleKey(shape.split(`{${SHARD_PARAM}}`).join(shard)))
    .filter((key) => key !== sampleKey(shape.split(`{${SHARD_PARAM}}`).join('0')));
}

/** The literal text before the first placeholder: `PROJECT#` for `PROJECT#{projectId}`. */
export function literalPrefix(shape: string): string {
  return shape.split('{')[0];
}

/** Whether `key` is a value the shape describes (a placeholder stands for one character or more). */
export function matchesShape(shape: string, key: string): boolean {
  const pattern = shape
    .split(PLACEHOLDER)
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${pattern}$`, 's').test(key);
}

/** The sample value of a parameter: `projectId` -> `p-123` (n = 0), `p-124` (n = 1). */
export function sampleValue(param: string, n = 0): string {
  return `${param.charAt(0).toLowerCase()}-${123 + n}`;
}

/**
 * A key inside the shape, with sample values: `PROJECT#{projectId}` -> `PROJECT#p-123` (n = 0); `values` sets
 * some parameters instead.
 */
export function sampleKey(shape: string, n = 0, values: { readonly [param: string]: string } = {}): string {
  return shape.replace(PLACEHOLDER, (placeholder) => {
    const param = placeholder.slice(1, -1);
    return param in values ? values[param] : sampleValue(param, n);
  });
}

/**
 * The session tags of sample caller `n` (0 is alice, 1 is bob): each bound parameter's sample value, so
 * `sampleKey(shape, n)` is inside the partitions caller `n`'s session reaches.
 */
export function sampleTags(params: readonly string[], n = 0): { [key: string]: string } {
  return Object.fromEntries(params.map((param) => [param, sampleValue(param, n)]));
}

/** The session tag keys of a function's caller-bound patterns: every bound parameter, sorted. */
export function callerTagKeys(patterns: readonly AccessPattern[]): string[] {
  return [...new Set(patterns.flatMap((p) => Object.keys(p.caller ?? {})))].sort();
}

/**
 * Keys that are not described by any of `shapes` but look like `shape`: another prefix, a prefix
 * lookalike (`PROJECTX#1` for `PROJECT#{id}`), another case, empty placeholders, and each later literal changed.
 */
export function outsideKeys(shape: string, shapes: readonly string[]): string[] {
  const sample = sampleKey(shape);
  const prefix = literalPrefix(shape);
  const literals = shape.split(PLACEHOLDER);
  const candidates = [
    `OTHER#${sample.slice(prefix.length)}`,
    `${prefix.slice(0, -1)}X${prefix.slice(-1)}${sample.slice(prefix.length)}`,
    sample.toLowerCase() === sample ? sample.toUpperCase() : sample.toLowerCase(),
    `X${sample}`,
    // Every placeholder left empty: `PROJECT#` is not a key of `PROJECT#{projectId}`.
    shape.replace(PLACEHOLDER, ''),
    ...literals.slice(1).flatMap((literal, i) => (literal ? [sampleKey(replaceLiteral(shape, i + 1, 'Z'))] : [])),
  ];
  return [...new Set(candidates)].filter((key) => !shapes.some((s) => matchesShape(s, key)));
}

/** The shape with its `index`th literal segment replaced (segment 0 is the prefix). */
function replaceLiteral(shape: string, index: number, replacement: string): string {
  const literals = shape.split(PLACEHOLDER);
  const placeholders = shape.match(PLACEHOLDER) ?? [];
  return literals.map((l, i) => (i === index ? replacement : l) + (placeholders[i] ?? '')).join('');
}
