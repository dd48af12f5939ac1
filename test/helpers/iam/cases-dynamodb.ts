import {
  AccessPattern,
  OPERATION_ACTIONS,
  WRITE_OPERATIONS,
  beyondShards,
  matchesShape,
  outsideKeys,
  reachableShapes,
  sampleKey,
  sampleValue,
} from './access-patterns';
import { keyedCase } from './dynamodb-calls';
import { Case, Expected } from './evaluate';
import { KeyUnderTest, PolicyDocument, StackModel, TableUnderTest } from './model';
import { STREAM_LABEL } from './template';

/** Item actions: each request names its partition keys, so `dynamodb:LeadingKeys` applies. */
const TABLE_KEYED_ACTIONS = [
  'GetItem',
  'BatchGetItem',
  'ConditionCheckItem',
  'Query',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'PartiQLSelect',
  'PartiQLInsert',
  'PartiQLUpdate',
  'PartiQLDelete',
].map((a) => `dynamodb:${a}`);

/** Table-wide and admin actions: no partition key in the request. */
const TABLE_KEYLESS_ACTIONS = [
  'Scan',
  'DescribeTable',
  'CreateTable',
  'DeleteTable',
  'UpdateTable',
  'UpdateTimeToLive',
  'DescribeTimeToLive',
  'CreateBackup',
  'RestoreTableToPointInTime',
  'ExportTableToPointInTime',
  'ImportTable',
  'UpdateContinuousBackups',
  'DescribeContinuousBackups',
  'UpdateContributorInsights',
  'EnableKinesisStreamingDestination',
  'PutResourcePolicy',
  'GetResourcePolicy',
  'DeleteResourcePolicy',
  'TagResource',
  'UntagResource',
  'CreateTableReplica',
  'DeleteTableReplica',
  'UpdateGlobalTable',
  'ListExports',
].map((a) => `dynamodb:${a}`);

const INDEX_KEYED_ACTIONS = ['dynamodb:Query', 'dynamodb:PartiQLSelect'];
const INDEX_KEYLESS_ACTIONS = ['dynamodb:Scan', 'dynamodb:UpdateContributorInsights'];
/** Account-wide actions, authorized on `*`. */
const ACCOUNT_ACTIONS = ['ListTables', 'DescribeLimits', 'ListBackups', 'ListStreams'].map((a) => `dynamodb:${a}`);
/**
 * Reading a table's stream; with ListStreams, what Lambda's event source mapping needs of a stream worker's role
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html#events-dynamodb-permissions).
 */
const STREAM_ACTIONS = ['DescribeStream', 'GetRecords', 'GetShardIterator'].map((a) => `dynamodb:${a}`);
const LIST_STREAMS = 'dynamodb:ListStreams';
export const BATCH_READ = 'dynamodb:BatchGetItem';

/** Using a key for data; DynamoDB does these on the caller's behalf. */
export const KMS_USE_ACTIONS = [
  'Decrypt',
  'DescribeKey',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
].map((a) => `kms:${a}`);

/** Key administration: never for a route function, not even through DynamoDB. */
export const KMS_ADMIN_ACTIONS = [
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
  'PutKeyPolicy',
  'GetKeyPolicy',
  'CreateGrant',
  'RetireGrant',
  'RevokeGrant',
  'DisableKey',
  'EnableKey',
  'DisableKeyRotation',
  'UpdateKeyDescription',
  'TagResource',
  'CreateAlias',
].map((a) => `kms:${a}`);

const KMS_READ = ['kms:Decrypt', 'kms:DescribeKey'];
const KMS_WRITE = ['kms:Encrypt', 'kms:GenerateDataKey'];

/** The default key policy: it delegates to IAM, so a foreign key's decision is the role's own. */
const DELEGATING_KEY_POLICY = (account: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
});

const FALLBACK_KEY = 'ITEM#i-123';

/** What a function declared on one resource (table or index): shapes per action, and Scan. */
interface Declared {
  readonly shapes: Map<string, Set<string>>;
  /** Caller-bound parameters of each shape, at the session's (sample caller 0's) values. */
  readonly bound: Map<string, { [param: string]: string }>;
  /** The sharded patterns granted each action: their shards allowed together, keys beside them denied. */
  readonly sharded: Map<string, AccessPattern[]>;
  scan: boolean;
}

/** Makes a case of an action on a resource with these partition keys (see `keyedCase`). */
export type Keyed = (
  action: string,
  resource: string,
  keys: readonly string[],
  expected: Expected,
  why: string,
) => Case;

const allowed = (action: string, resource: string, why: string, context = {}): Case => ({
  action,
  resource,
  context,
  expected: 'Allowed',
  why,
});
const denied = (action: string, resource: string, why: string, context = {}): Case => ({
  action,
  resource,
  context,
  expected: 'Denied',
  why,
});

export const indexArn = (table: TableUnderTest, index: string) => `${table.arn}/index/${index}`;

/** Keyed cases through the package's mapping, with the function's table (or, without one, `fallback`) as schema. */
export function keyedCases(
  model: StackModel,
  tables: readonly TableUnderTest[],
  own: TableUnderTest | undefined,
): (fallback: TableUnderTest) => Keyed {
  const scope = { region: model.env.region, account: model.env.account, partition: model.env.partition };
  return (fallback) => (action, resource, keys, expected, why) =>
    keyedCase(scope, tables, own ?? fallback, { action, resource, keys }, expected, why);
}

function declaredByResource(table: TableUnderTest, patterns: readonly AccessPattern[]): Map<string, Declared> {
  const byResource = new Map<string, Declared>();
  for (const p of patterns) {
    const resource = p.index ? indexArn(table, p.index) : table.arn;
    const declared = byResource.get(resource) ?? {
      shapes: new Map(),
      bound: new Map(),
      sharded: new Map(),
      scan: false,
    };
    byResource.set(resource, declared);
    if (p.operation === 'Scan') {
      declared.scan = true;
      continue;
    }
    const bound = Object.keys(p.caller ?? {}).map((param) => [param, sampleValue(param)]);
    if (bound.length) {
      declared.bound.set(p.partitionKey![1], {
        ...declared.bound.get(p.partitionKey![1]),
        ...Object.fromEntries(bound),
      });
    }
    for (const action of OPERATION_ACTIONS[p.operation]) {
      const shapes = declared.shapes.get(action) ?? new Set<string>();
      reachableShapes(p).forEach((shape) => shapes.add(shape));
      declared.shapes.set(action, shapes);
      if (p.shards !== undefined) declared.sharded.set(action, [...(declared.sharded.get(action) ?? []), p]);
    }
  }
  return byResource;
}

/**
 * Cases for a function's access to its table: each declared action inside its key shapes is allowed;
 * outside them, without a key, undeclared, on another index or another table, it is denied.
 */
export function tableCases(
  model: StackModel,
  table: TableUnderTest | undefined,
  patterns: readonly AccessPattern[],
  probes: readonly string[],
  streams: readonly string[] = [],
): Case[] {
  const cases: Case[] = [];
  const declaredAll = table ? declaredByResource(table, patterns) : new Map<string, Declared>();
  // Keys inside each declared shape: an undeclared action must be denied even on them.
  const insideKeys = [
    ...new Set(patterns.flatMap((p) => (p.partitionKey ? reachableShapes(p).map((shape) => sampleKey(shape)) : []))),
  ];
  const anyInside = insideKeys[0] ?? FALLBACK_KEY;

  const tables = table && !model.tables.includes(table) ? [...model.tables, table] : model.tables;
  const keyedOn = keyedCases(model, tables, table);
  for (const t of tables) {
    const keyed = keyedOn(t);
    const resources = [
      { arn: t.arn, keyed: TABLE_KEYED_ACTIONS, keyless: TABLE_KEYLESS_ACTIONS },
      ...Object.keys(t.indexes).map((i) => ({
        arn: indexArn(t, i),
        keyed: INDEX_KEYED_ACTIONS,
        keyless: INDEX_KEYLESS_ACTIONS,
      })),
    ];
    for (const r of resources) {
      const declared = t === table ? declaredAll.get(r.arn) : undefined;
      const where = t === table ? 'its table' : `table ${t.logicalId} it does not use`;
      cases.push(...declaredCases(keyed, r.arn, declared, probes));
      for (const action of r.keyed.filter((a) => !declared?.shapes.has(a))) {
        for (const key of new Set([anyInside, ...insideKeys, ...probes])) {
          cases.push(keyed(action, r.arn, [key], 'Denied', `${action} not declared on ${where}`));
        }
        cases.push(denied(action, r.arn, `${action} not declared, and no leading key`));
      }
      for (const action of r.keyless.filter((a) => !(a === 'dynamodb:Scan' && declared?.scan))) {
        cases.push(denied(action, r.arn, `${action} not declared on ${where}`));
      }
    }
  }
  cases.push(
    ...ACCOUNT_ACTIONS.map((a) =>
      a === LIST_STREAMS && streams.length
        ? allowed(a, '*', "a stream worker's event source mapping lists streams")
        : denied(a, '*', 'account-wide DynamoDB action'),
    ),
  );
  // Each table's stream: read only by the workers its event source mappings serve.
  for (const t of tables) {
    const stream = `${t.arn}/stream/${STREAM_LABEL}`;
    for (const action of STREAM_ACTIONS) {
      cases.push(
        streams.includes(stream)
          ? allowed(action, stream, 'the stream its event source mapping reads')
          : denied(action, stream, 'no event source mapping hands it this stream'),
      );
    }
  }
  if (table) cases.push(...foreignCases(model, keyedOn(table), table, declaredAll, anyInside));
  return cases;
}

/**
 * Allowed inside the shapes; denied outside, mixed inside and outside, and with no key at all.
 * `probes` (keys inside what the policy grants) that no declared shape describes are denied too.
 */
function declaredCases(
  keyed: Keyed,
  resource: string,
  declared: Declared | undefined,
  probes: readonly string[],
): Case[] {
  if (!declared) return [];
  const cases: Case[] = [];
  if (declared.scan) cases.push(allowed('dynamodb:Scan', resource, 'declared Scan'));
  for (const [action, shapeSet] of declared.shapes) {
    const shapes = [...shapeSet];
    for (const shape of shapes) {
      const inside = sampleKey(shape);
      cases.push(keyed(action, resource, [inside], 'Allowed', `declared on ${shape}`));
      // A session reaches one caller's partitions: the second key keeps the caller's bound values.
      const second = sampleKey(shape, 1, declared.bound.get(shape));
      if (action === BATCH_READ && second !== inside) {
        cases.push(keyed(action, resource, [inside, second], 'Allowed', `two keys in ${shape}`));
      }
      const outside = outsideKeys(shape, shapes);
      for (const key of outside) {
        cases.push(keyed(action, resource, [key], 'Denied', `${key} is outside ${shapes.join(', ')}`));
      }
      if (outside.length) {
        cases.push(keyed(action, resource, [inside, outside[0]], 'Denied', `one key outside ${shapes.join(', ')}`));
      }
    }
    for (const key of probes.filter((k) => !shapes.some((shape) => matchesShape(shape, k)))) {
      cases.push(keyed(action, resource, [key], 'Denied', `granted key ${key} is in no declared shape`));
    }
    for (const pattern of declared.sharded.get(action) ?? []) {
      const shards = reachableShapes(pattern).map((shape) => sampleKey(shape));
      if (action === BATCH_READ) {
        const keys = [shards[0], shards[shards.length - 1]];
        cases.push(keyed(action, resource, keys, 'Allowed', `the first and the last shard of ${pattern.name}`));
      }
      for (const key of beyondShards(pattern).filter((k) => !shapes.some((shape) => matchesShape(shape, k)))) {
        cases.push(keyed(action, resource, [key], 'Denied', `${key} is no shard of ${pattern.name}`));
        cases.push(keyed(action, resource, [shards[0], key], 'Denied', `${key} beside a shard of ${pattern.name}`));
      }
    }
    cases.push(denied(action, resource, 'no leading key in the request (the Null guard)'));
  }
  return cases;
}

/** Declared actions aimed elsewhere: another table, the table in another region, an undeclared index. */
function foreignCases(
  model: StackModel,
  keyed: Keyed,
  table: TableUnderTest,
  declaredAll: Map<string, Declared>,
  anyInside: string,
): Case[] {
  const { partition, account, region } = model.env;
  const otherRegion = region === 'eu-west-2' ? 'eu-west-3' : 'eu-west-2';
  const otherTable = `arn:${partition}:dynamodb:${region}:${account}:table/SomeOtherTable`;
  const replica = table.arn.replace(`:${region}:`, `:${otherRegion}:`);
  const targets = [
    { arn: otherTable, index: false },
    { arn: replica, index: false },
    { arn: `${otherTable}/index/${Object.keys(table.indexes)[0] ?? 'byOther'}`, index: true },
    { arn: indexArn(table, 'UndeclaredIndex'), index: true },
    { arn: `${replica}/index/${Object.keys(table.indexes)[0] ?? 'byOther'}`, index: true },
  ];
  const cases: Case[] = [];
  for (const [resource, declared] of declaredAll) {
    const isIndex = resource !== table.arn;
    for (const [action, shapes] of declared.shapes) {
      for (const target of targets.filter((t) => t.index === isIndex)) {
        cases.push(
          keyed(action, target.arn, [sampleKey([...shapes][0])], 'Denied', `declared on ${resource}, not here`),
        );
      }
    }
  }
  for (const target of targets) {
    cases.push(denied('dynamodb:Scan', target.arn, 'Scan of a table or index the function does not use'));
    cases.push(
      keyed('dynamodb:Query', target.arn, [anyInside], 'Denied', 'Query of a table or index the function does not use'),
    );
  }
  return cases;
}

/**
 * Cases for every KMS key in the stack (and a foreign one): the table's key only through DynamoDB,
 * only the actions the declared operations need; key administration never.
 */
export function kmsCases(
  model: StackModel,
  table: TableUnderTest | undefined,
  patterns: readonly AccessPattern[],
): Case[] {
  const { partition, account, region } = model.env;
  const via = (r: string) => ({ 'kms:ViaService': `dynamodb.${r}.amazonaws.com` });
  const foreign: KeyUnderTest = {
    logicalId: 'ForeignKey',
    arn: `arn:${partition}:kms:${region}:${account}:key/00000000-0000-0000-0000-000000000000`,
    policy: DELEGATING_KEY_POLICY(account),
  };
  const writes = patterns.some((p) => WRITE_OPERATIONS.includes(p.operation));
  const cases: Case[] = [];
  for (const key of [...model.keys, foreign]) {
    const isTableKey = table?.keyArn === key.arn;
    const needed = isTableKey && patterns.length ? [...KMS_READ, ...(writes ? KMS_WRITE : [])] : [];
    const withPolicy = (c: Case): Case => ({ ...c, resourcePolicy: key.policy });
    for (const action of KMS_USE_ACTIONS) {
      const expected = needed.includes(action);
      const why = expected ? 'needed by the declared operations, through DynamoDB' : 'not needed through DynamoDB';
      cases.push(withPolicy({ ...(expected ? allowed : denied)(action, key.arn, why, via(region)) }));
      cases.push(
        withPolicy(denied(action, key.arn, 'not through DynamoDB', { 'kms:ViaService': `s3.${region}.amazonaws.com` })),
      );
      cases.push(withPolicy(denied(action, key.arn, 'through DynamoDB in another region', via('ap-south-2'))));
      cases.push(withPolicy(denied(action, key.arn, 'called directly, not through a service')));
    }
    for (const action of KMS_ADMIN_ACTIONS) {
      cases.push(withPolicy(denied(action, key.arn, 'key administration', via(region))));
      cases.push(withPolicy(denied(action, key.arn, 'key administration')));
    }
  }
  return cases;
}
