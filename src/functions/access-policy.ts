import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { KMS_TABLE_READ_ACTIONS, KMS_TABLE_WRITE_ACTIONS } from '../private/iam-actions';
import { ResolvedAccessPattern } from '../table/access-model';
import { TableModel } from '../table/table-builder';

/**
 * The statements giving a function exactly the access patterns it uses, nothing table-wide.
 *
 * Patterns are grouped per resource (the table or one index) and per set of actions, so a function
 * that gets tasks and puts sessions is allowed GetItem on `PROJECT#*` and PutItem on `USER#*`, never
 * GetItem on `USER#*`. Each statement requires every leading key of the request to match one of its
 * patterns, and requires a leading key to be present at all.
 */
export function accessPatternStatements(
  patterns: readonly ResolvedAccessPattern[],
  model: TableModel,
): iam.PolicyStatement[] {
  const tableArn = model.table.tableArn;
  const resourceOf = (p: ResolvedAccessPattern) => (p.indexName ? `${tableArn}/index/${p.indexName}` : tableArn);

  // First the actions allowed on each (resource, leading keys) pair...
  const byKeys = new Map<string, { resource: string; leadingKeys?: readonly string[]; actions: Set<string> }>();
  for (const pattern of patterns) {
    const resource = resourceOf(pattern);
    const id = `${resource}|${pattern.leadingKeys?.join('|') ?? ''}`;
    const entry = byKeys.get(id) ?? { resource, leadingKeys: pattern.leadingKeys, actions: new Set<string>() };
    pattern.actions.forEach((action) => entry.actions.add(action));
    byKeys.set(id, entry);
  }
  // ...then one statement per (resource, actions), listing every leading key pattern those actions may use.
  const byActions = new Map<string, { resource: string; actions: string[]; leadingKeys: string[]; scan: boolean }>();
  for (const { resource, leadingKeys, actions } of byKeys.values()) {
    const sorted = [...actions].sort();
    const id = `${resource}|${leadingKeys === undefined}|${sorted.join(',')}`;
    const entry = byActions.get(id) ?? { resource, actions: sorted, leadingKeys: [], scan: leadingKeys === undefined };
    if (leadingKeys !== undefined) entry.leadingKeys.push(...leadingKeys);
    byActions.set(id, entry);
  }
  const statements = [...byActions.values()].map(
    ({ resource, actions, leadingKeys, scan }) =>
      new iam.PolicyStatement({
        actions,
        resources: [resource],
        // A Scan carries no partition key: it is granted unconditioned, and only when a pattern asked for it.
        conditions: scan
          ? undefined
          : {
              'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...new Set(leadingKeys)].sort() },
              // ForAllValues is vacuously true for a request without a leading key (Scan, PartiQL):
              // requiring the key to be present closes that hole.
              Null: { 'dynamodb:LeadingKeys': 'false' },
            },
      }),
  );

  const key = model.encryptionKey;
  if (key && patterns.length) {
    const writes = patterns.some((p) => p.writes);
    statements.push(
      new iam.PolicyStatement({
        actions: [...KMS_TABLE_READ_ACTIONS, ...(writes ? KMS_TABLE_WRITE_ACTIONS : [])],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(model.table).region}.amazonaws.com` } },
      }),
    );
  }
  return statements;
}
