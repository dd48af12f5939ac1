import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { AccessPattern } from './access-pattern';
import { cdkBilling, cdkIndexCapacity, refuseExistingTableBilling, validateTableBilling } from './table-capacity';
import { TableEncryption, TableEncryptionType } from './table-encryption';
import { ExistingTableOptions, TableIndexKeys, TableIndexOptions, TableOptions } from './table-options';
import { limitGrantsToAwsServices } from '../private/key-policy';
import { checkOneOf, checkPattern, checkUnique, fail, isLiteral } from '../private/validation';

/** The table's key attributes and indexes, known from the props before anything is built. */
export interface TableKeyModel {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly timeToLiveAttribute: string;
  /** The indexes access patterns may use, with their key attributes (and, for a new table, projections). */
  readonly indexes: readonly TableIndexOptions[];
}

/** What the rest of the library needs to know about the table, created or brought. */
export interface TableModel extends TableKeyModel {
  readonly table: dynamodb.ITableV2;
  readonly encryptionKey?: kms.IKey;
}

export function tableKeyModel(
  table: TableOptions | undefined,
  existing: ExistingTableOptions | undefined,
  patterns: { readonly [name: string]: AccessPattern },
): TableKeyModel {
  const options = existing ?? table ?? {};
  return {
    partitionKey: options.partitionKey ?? DEFAULT_PARTITION_KEY,
    sortKey: options.sortKey ?? DEFAULT_SORT_KEY,
    timeToLiveAttribute: options.timeToLiveAttribute ?? DEFAULT_TTL_ATTRIBUTE,
    indexes: existing ? (existing.globalSecondaryIndexes ?? []) : tableIndexes(table, patterns),
  };
}

export const DEFAULT_PARTITION_KEY = 'PK';
export const DEFAULT_SORT_KEY = 'SK';
export const DEFAULT_TTL_ATTRIBUTE = 'expiresAt';
const MAX_GLOBAL_SECONDARY_INDEXES = 20;

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,255}$/;
const ATTRIBUTE_RULE = 'be 1 to 255 characters of letters, digits, "_", "-" or "."';
export const INDEX_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
export const INDEX_RULE = 'be 3 to 255 characters of letters, digits, "_", "-" or "."';

export function validateTableProps(
  table: TableOptions | undefined,
  existing: ExistingTableOptions | undefined,
  patterns: { readonly [name: string]: AccessPattern },
): void {
  if (table && existing) {
    throw new Error('`table` and `existingTable` cannot both be set: configure a new table or bring an existing one');
  }
  refuseExistingTableBilling(existing);
  const prefix = existing ? 'existingTable' : 'table';
  const options = existing ?? table ?? {};
  const modes = Object.values(dynamodb.ContributorInsightsMode);
  checkOneOf(
    'table.contributorInsights',
    table?.contributorInsights,
    modes,
    `be a dynamodb.ContributorInsightsMode (${modes.join(', ')})`,
  );
  const partitionKey = options.partitionKey ?? DEFAULT_PARTITION_KEY;
  const sortKey = options.sortKey ?? DEFAULT_SORT_KEY;
  const ttl = options.timeToLiveAttribute ?? DEFAULT_TTL_ATTRIBUTE;
  checkPattern(`${prefix}.partitionKey`, partitionKey, ATTRIBUTE_NAME, ATTRIBUTE_RULE);
  checkPattern(`${prefix}.sortKey`, sortKey, ATTRIBUTE_NAME, ATTRIBUTE_RULE);
  checkPattern(`${prefix}.timeToLiveAttribute`, ttl, ATTRIBUTE_NAME, ATTRIBUTE_RULE);
  if (partitionKey === sortKey) {
    fail(`${prefix}.sortKey`, `differ from the partition key ${JSON.stringify(partitionKey)}`, sortKey);
  }
  if (ttl === partitionKey || ttl === sortKey) {
    fail(
      `${prefix}.timeToLiveAttribute`,
      'differ from the key attributes: TTL needs a number attribute of its own holding epoch seconds',
      ttl,
    );
  }
  const indexes: readonly TableIndexKeys[] =
    (existing ? existing.globalSecondaryIndexes : table?.globalSecondaryIndexes) ?? [];
  indexes.forEach((index, i) => validateIndexKeys(`${prefix}.globalSecondaryIndexes[${i}]`, index, ttl));
  checkUnique(`${prefix}.globalSecondaryIndexes`, indexes, (index) => index.indexName);
  if (existing) return;
  (table?.globalSecondaryIndexes ?? []).forEach((index, i) => {
    const at = `table.globalSecondaryIndexes[${i}]`;
    const include = index.projectionType === dynamodb.ProjectionType.INCLUDE;
    if (include && !(index.nonKeyAttributes ?? []).length) {
      fail(`${at}.nonKeyAttributes`, 'list at least one attribute with ProjectionType.INCLUDE', index.nonKeyAttributes);
    }
    if (!include && index.nonKeyAttributes !== undefined) {
      fail(`${at}.nonKeyAttributes`, 'be set only with ProjectionType.INCLUDE', index.nonKeyAttributes);
    }
    // An index is written on every write of its attributes: it exists for a named access pattern or not at all.
    const used = Object.values(patterns).some((pattern) => pattern.indexName === index.indexName);
    if (!used) {
      fail(
        `${at}.indexName`,
        'be used by an access pattern (`indexName` of an AccessPattern.query or scan): indexes exist only for named access patterns',
        index.indexName,
      );
    }
  });
  const all = tableIndexes(table, patterns);
  if (all.length > MAX_GLOBAL_SECONDARY_INDEXES) {
    fail(
      'accessPatterns',
      `use at most ${MAX_GLOBAL_SECONDARY_INDEXES} indexes`,
      all.map((index) => index.indexName),
    );
  }
  validateTableBilling(
    table?.billing,
    all.map((index) => index.indexName),
  );
  if (isLiteral(table?.tableName)) {
    checkPattern('table.tableName', table!.tableName, INDEX_NAME, INDEX_RULE);
  }
}

/**
 * Builds the table with its resolved keys (or adopts the existing one), with a stream of `stream`'s view type when
 * given. Props must have passed `validateTableProps`.
 */
export function buildTable(
  scope: Construct,
  keys: TableKeyModel,
  table: TableOptions | undefined,
  existing: ExistingTableOptions | undefined,
  stream?: dynamodb.StreamViewType,
): TableModel {
  if (existing) {
    return { ...keys, table: existing.table, encryptionKey: existing.encryptionKey ?? existing.table.encryptionKey };
  }
  const options = table ?? {};
  const { partitionKey, sortKey, timeToLiveAttribute } = keys;
  const removalPolicy = options.removalPolicy ?? RemovalPolicy.RETAIN;
  const encryptionKey = tableKey(scope, options.encryption ?? TableEncryption.awsOwned(), removalPolicy);
  const created = quietInternalDeprecations(
    () =>
      new dynamodb.TableV2(scope, 'Table', {
        tableName: options.tableName,
        partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: sortKey, type: dynamodb.AttributeType.STRING },
        billing: cdkBilling(options.billing),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: options.pointInTimeRecovery ?? true },
        timeToLiveAttribute,
        deletionProtection: options.deletionProtection ?? true,
        ...(options.contributorInsights
          ? { contributorInsightsSpecification: { enabled: true, mode: options.contributorInsights } }
          : {}),
        removalPolicy,
        ...(stream ? { dynamoStream: stream } : {}),
        encryption: tableEncryption(options.encryption, encryptionKey),
        globalSecondaryIndexes: keys.indexes.map((index) => ({
          indexName: index.indexName,
          partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
          sortKey: index.sortKey ? { name: index.sortKey, type: dynamodb.AttributeType.STRING } : undefined,
          projectionType: index.projectionType ?? dynamodb.ProjectionType.ALL,
          nonKeyAttributes: index.nonKeyAttributes,
          ...cdkIndexCapacity(options.billing, index.indexName),
        })),
      }),
  );
  return { ...keys, table: created, encryptionKey };
}

function validateIndexKeys(at: string, index: TableIndexKeys, ttl: string): void {
  checkPattern(`${at}.indexName`, index.indexName, INDEX_NAME, INDEX_RULE);
  checkPattern(`${at}.partitionKey`, index.partitionKey, ATTRIBUTE_NAME, ATTRIBUTE_RULE);
  if (index.sortKey !== undefined) checkPattern(`${at}.sortKey`, index.sortKey, ATTRIBUTE_NAME, ATTRIBUTE_RULE);
  for (const prop of ['partitionKey', 'sortKey'] as const) {
    if (index[prop] === ttl) {
      fail(`${at}.${prop}`, `differ from the TTL attribute ${JSON.stringify(ttl)} (a number, keys are strings)`, ttl);
    }
  }
  if (index.sortKey !== undefined && index.sortKey === index.partitionKey) {
    fail(`${at}.sortKey`, `differ from the index partition key ${JSON.stringify(index.partitionKey)}`, index.sortKey);
  }
}

/**
 * The indexes of a new table: those declared explicitly, then one for each other index name the
 * access patterns use, keyed `<name>PK` and, when a Query on it narrows by sort key, `<name>SK`.
 */
export function tableIndexes(
  table: TableOptions | undefined,
  patterns: { readonly [name: string]: AccessPattern },
): TableIndexOptions[] {
  const indexes = [...(table?.globalSecondaryIndexes ?? [])];
  for (const pattern of Object.values(patterns)) {
    const name = pattern.indexName;
    if (name === undefined || indexes.some((index) => index.indexName === name)) continue;
    const sorted = Object.values(patterns).some((p) => p.indexName === name && p.sortKey !== undefined);
    indexes.push({ indexName: name, partitionKey: `${name}PK`, sortKey: sorted ? `${name}SK` : undefined });
  }
  return indexes;
}

function tableKey(scope: Construct, encryption: TableEncryption, removalPolicy: RemovalPolicy): kms.IKey | undefined {
  if (encryption.type !== TableEncryptionType.CUSTOMER_MANAGED) return undefined;
  if (encryption.key) return encryption.key;
  const key = new kms.Key(scope, 'TableKey', {
    description: 'Encrypts the API table at rest',
    enableKeyRotation: true,
    // Losing the key loses every backup of the table, so the key outlives the stack like the table.
    removalPolicy: removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  });
  limitGrantsToAwsServices(key);
  return key;
}

function tableEncryption(
  encryption: TableEncryption | undefined,
  key: kms.IKey | undefined,
): dynamodb.TableEncryptionV2 {
  if (key) return dynamodb.TableEncryptionV2.customerManagedKey(key);
  if (encryption?.type === TableEncryptionType.AWS_MANAGED) return dynamodb.TableEncryptionV2.awsManagedKey();
  return dynamodb.TableEncryptionV2.dynamoOwnedKey();
}

/**
 * aws-cdk-lib's `TableV2` hands its own `TableGrants` the deprecated `encryptedResource` and `policyResource`
 * props (explicitly undefined), so jsii prints two deprecation warnings on every synth that no app code caused.
 * jsii's printer reads `JSII_DEPRECATED` on each check: quiet it while the table is built, then restore the app's
 * setting, so the app's own deprecated calls still warn (or fail) as it chose.
 */
function quietInternalDeprecations<T>(build: () => T): T {
  const mode = process.env.JSII_DEPRECATED;
  process.env.JSII_DEPRECATED = 'quiet';
  try {
    return build();
  } finally {
    if (mode === undefined) delete process.env.JSII_DEPRECATED;
    else process.env.JSII_DEPRECATED = mode;
  }
}
