/** DynamoDB tables and global tables: keys, indexes, billing and capacity, and data protection settings. */

import { indexCapacityOf, tableCapacityOf } from './table-capacity';
import { CfnResource, JsonObject, list, obj, str, T, TemplateIndex } from '../../assembly/template';

export interface IndexSummary {
  readonly name: string;
  readonly kind: 'GSI' | 'LSI';
  readonly keys: string;
  readonly projection: string;
  /** A global secondary index's provisioned capacity or on-demand maximums, in words; undefined when it has none. */
  readonly capacity?: string;
}

export interface TableSummary {
  readonly logicalId: string;
  readonly name: string;
  readonly type: string;
  readonly keys: string;
  readonly billingMode: string;
  /** Provisioned capacity (auto scaled or fixed) or on-demand maximums, in words; undefined when there are none. */
  readonly capacity?: string;
  readonly indexes: IndexSummary[];
  readonly ttlAttribute?: string;
  readonly pointInTimeRecovery: boolean;
  readonly deletionProtection: boolean;
  readonly encryption: string;
  readonly deletionPolicy: string;
  readonly replicas: string[];
}

function keysOf(keySchema: unknown, attributeTypes: Map<string, string>): string {
  return list(keySchema)
    .map(obj)
    .map((key) => {
      const name = str(key.AttributeName) ?? '?';
      return `${name} (${attributeTypes.get(name) ?? '?'}, ${key.KeyType === 'RANGE' ? 'sort' : 'partition'})`;
    })
    .join(', ');
}

function indexesOf(
  index: TemplateIndex,
  isGlobal: boolean,
  props: JsonObject,
  replicas: JsonObject[],
  attributeTypes: Map<string, string>,
): IndexSummary[] {
  const describe = (kind: 'GSI' | 'LSI') => (value: unknown) => {
    // A local secondary index has no capacity of its own: it uses the table's.
    const capacity = kind === 'GSI' ? indexCapacityOf(index, isGlobal, obj(value), replicas) : undefined;
    return {
      name: str(obj(value).IndexName) ?? '?',
      kind,
      keys: keysOf(obj(value).KeySchema, attributeTypes),
      projection: str(obj(obj(value).Projection).ProjectionType) ?? 'KEYS_ONLY',
      ...(capacity === undefined ? {} : { capacity }),
    };
  };
  return [
    ...list(props.GlobalSecondaryIndexes).map(describe('GSI')),
    ...list(props.LocalSecondaryIndexes).map(describe('LSI')),
  ];
}

function encryptionOf(index: TemplateIndex, props: JsonObject, replicas: JsonObject[]): string {
  const sse = obj(props.SSESpecification);
  const keyId = sse.KMSMasterKeyId ?? replicas.map((r) => obj(r.SSESpecification).KMSMasterKeyId).find((k) => k);
  if (keyId !== undefined) return `customer-managed KMS key ${index.render(keyId)}`;
  if (sse.SSEEnabled === true || sse.SSEEnabled === 'true') return 'AWS managed KMS key';
  return 'AWS owned key';
}

export function summarizeTable(index: TemplateIndex, id: string, table: CfnResource): TableSummary {
  const props = table.Properties ?? {};
  const attributeTypes = new Map(
    list(props.AttributeDefinitions).map((a) => [str(obj(a).AttributeName) ?? '', str(obj(a).AttributeType) ?? '?']),
  );
  const isGlobal = table.Type === T.globalTable;
  const replicas = list(props.Replicas).map(obj);
  // A global table's PITR and deletion protection are per replica; report them on only when every replica has them.
  const everyReplica = (read: (replica: JsonObject) => unknown) =>
    replicas.length > 0 && replicas.every((replica) => String(read(replica)) === 'true');
  const ttl = obj(props.TimeToLiveSpecification);
  const capacity = tableCapacityOf(index, isGlobal, props, replicas);
  return {
    logicalId: id,
    name: index.name(id),
    type: isGlobal ? 'GlobalTable' : 'Table',
    keys: keysOf(props.KeySchema, attributeTypes),
    billingMode: str(props.BillingMode) ?? 'PROVISIONED',
    ...(capacity === undefined ? {} : { capacity }),
    indexes: indexesOf(index, isGlobal, props, replicas, attributeTypes),
    ttlAttribute: String(ttl.Enabled) === 'true' ? str(ttl.AttributeName) : undefined,
    pointInTimeRecovery: isGlobal
      ? everyReplica((r) => obj(r.PointInTimeRecoverySpecification).PointInTimeRecoveryEnabled)
      : String(obj(props.PointInTimeRecoverySpecification).PointInTimeRecoveryEnabled) === 'true',
    deletionProtection: isGlobal
      ? everyReplica((r) => r.DeletionProtectionEnabled)
      : String(props.DeletionProtectionEnabled) === 'true',
    encryption: encryptionOf(index, props, replicas),
    // CloudFormation deletes a resource without a DeletionPolicy.
    deletionPolicy: table.DeletionPolicy ?? 'Delete',
    replicas: replicas.map((replica) => index.render(replica.Region)),
  };
}
