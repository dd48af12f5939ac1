/**
 * The stack's DynamoDB tables (`AWS::DynamoDB::Table`, and `AWS::DynamoDB::GlobalTable` that TableV2 makes): keys,
 * secondary indexes, TTL and stream, enough to create them in the local DynamoDB and feed their streams.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-globaltable.html
 */

import { booleanOf, ReadContext } from './context';
import { UsageError } from '../../assembly/assembly';
import { isObject, JsonObject, list, obj, T } from '../../assembly/template';
import { KeyAttributeModel, LocalIndexModel, LocalTableModel } from '../model';
import type { LocalStreamModel } from '../workers-model';

interface KeySchema {
  readonly partitionKey: KeyAttributeModel;
  readonly sortKey?: KeyAttributeModel;
}

function keySchemaOf(ctx: ReadContext, schema: unknown, types: Map<string, string>, where: string): KeySchema {
  const keys = list(ctx.resolver.resolve(schema)).filter(isObject);
  const attribute = (keyType: string): KeyAttributeModel | undefined => {
    const key = keys.find((candidate) => candidate.KeyType === keyType);
    if (key === undefined) return undefined;
    const name = ctx.resolver.string(key.AttributeName, `${where} KeySchema AttributeName`);
    const type = types.get(name);
    if (type === undefined) {
      throw new UsageError(`${where}: key attribute ${name} is missing from AttributeDefinitions`);
    }
    return { name, type };
  };
  const partitionKey = attribute('HASH');
  if (partitionKey === undefined) throw new UsageError(`${where} has no partition key (KeyType HASH) in its KeySchema`);
  const sortKey = attribute('RANGE');
  return { partitionKey, ...(sortKey === undefined ? {} : { sortKey }) };
}

function indexesOf(ctx: ReadContext, indexes: unknown, types: Map<string, string>, where: string): LocalIndexModel[] {
  return list(ctx.resolver.resolve(indexes))
    .filter(isObject)
    .map((index: JsonObject) => {
      const indexName = ctx.resolver.string(index.IndexName, `${where} IndexName`);
      const projection = obj(index.Projection);
      const nonKeyAttributes = ctx.resolver.strings(
        projection.NonKeyAttributes,
        `${where} ${indexName} NonKeyAttributes`,
      );
      return {
        indexName,
        ...keySchemaOf(ctx, index.KeySchema, types, `${where} ${indexName}`),
        projectionType:
          ctx.resolver.optionalString(projection.ProjectionType, `${where} ${indexName} ProjectionType`) ?? 'KEYS_ONLY',
        ...(nonKeyAttributes.length === 0 ? {} : { nonKeyAttributes }),
      };
    });
}

const VIEW_TYPES = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'] as const;

function isViewType(value: string | undefined): value is LocalStreamModel['viewType'] {
  return (VIEW_TYPES as readonly (string | undefined)[]).includes(value);
}

export function readTables(ctx: ReadContext): LocalTableModel[] {
  return ctx.index.ofType(T.globalTable, T.table).map(([id, resource]) => {
    const props = resource.Properties ?? {};
    const where = `table ${id}`;
    const types = new Map(
      list(ctx.resolver.resolve(props.AttributeDefinitions))
        .filter(isObject)
        .map((definition) => [
          ctx.resolver.string(definition.AttributeName, `${where} AttributeDefinitions`),
          ctx.resolver.string(definition.AttributeType, `${where} AttributeDefinitions`),
        ]),
    );
    const ttl = obj(ctx.resolver.resolve(props.TimeToLiveSpecification));
    const ttlAttribute =
      booleanOf(ctx, ttl.Enabled) === true
        ? ctx.resolver.string(ttl.AttributeName, `${where} TimeToLiveSpecification.AttributeName`)
        : undefined;
    const viewType = ctx.resolver.optionalString(
      obj(ctx.resolver.resolve(props.StreamSpecification)).StreamViewType,
      `${where} StreamSpecification.StreamViewType`,
    );
    return {
      logicalId: id,
      tableName: ctx.resolver.physicalName(id),
      arn: ctx.resolver.getAtt(id, 'Arn'),
      ...keySchemaOf(ctx, props.KeySchema, types, where),
      globalSecondaryIndexes: indexesOf(ctx, props.GlobalSecondaryIndexes, types, `${where} global secondary index`),
      localSecondaryIndexes: indexesOf(ctx, props.LocalSecondaryIndexes, types, `${where} local secondary index`),
      ...(ttlAttribute === undefined ? {} : { ttlAttribute }),
      ...(isViewType(viewType) ? { stream: { viewType, arn: ctx.resolver.getAtt(id, 'StreamArn') } } : {}),
    };
  });
}
