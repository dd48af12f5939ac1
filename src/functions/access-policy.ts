import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  DYNAMODB_INDEX_READ_ACTIONS,
  DYNAMODB_READ_ACTIONS,
  DYNAMODB_SCAN_ACTIONS,
  DYNAMODB_WRITE_ACTIONS,
  KMS_TABLE_READ_ACTIONS,
  KMS_TABLE_WRITE_ACTIONS,
} from '../private/iam-actions';
import { fail, isLiteral } from '../private/validation';
import { TableAccess, TableAccessLevel } from '../table/table-access';
import { TableModel } from '../table/table-builder';

/**
 * A pattern must start with a literal prefix: a leading wildcard would match (almost) every partition.
 * Allowed characters are those of IAM `StringLike` values that make sense in a key.
 */
const KEY_PATTERN = /^[^*?\s][^\s]{0,1023}$/;

export function validateTableAccess(
  prop: string,
  accesses: readonly TableAccess[],
  indexNames: readonly string[],
): void {
  accesses.forEach((access, i) => {
    const at = `${prop}[${i}]`;
    // Scan is the one grant that cannot be scoped to keys: it exists only when asked for by name.
    if (access.level !== TableAccessLevel.SCAN && access.keyPatterns.length === 0) {
      fail(`${at}.keyPatterns`, 'list at least one partition key pattern such as "PROJECT#*"', access.keyPatterns);
    }
    access.keyPatterns.forEach((pattern, j) => {
      if (!isLiteral(pattern)) return;
      if (!KEY_PATTERN.test(pattern)) {
        fail(
          `${at}.keyPatterns[${j}]`,
          'start with a literal prefix such as "PROJECT#" and contain no whitespace (a leading wildcard would grant the whole table)',
          pattern,
        );
      }
    });
    if (access.indexName !== undefined && isLiteral(access.indexName) && !indexNames.includes(access.indexName)) {
      const declared = indexNames.length ? indexNames.map((n) => JSON.stringify(n)).join(', ') : 'none';
      fail(`${at}.indexName`, `name an index declared on the table (declared: ${declared})`, access.indexName);
    }
  });
}

/** The statements giving a function exactly its declared table access, nothing table-wide. */
export function tableAccessStatements(accesses: readonly TableAccess[], model: TableModel): iam.PolicyStatement[] {
  const tableArn = model.table.tableArn;
  const indexArn = (name: string) => `${tableArn}/index/${name}`;
  const merged = new Map<string, { actions: Set<string>; resource: string; patterns: string[] }>();
  const add = (actions: readonly string[], resource: string, patterns: string[]) => {
    const key = `${resource}|${[...patterns].sort().join('|')}`;
    const entry = merged.get(key) ?? { actions: new Set<string>(), resource, patterns: [...new Set(patterns)] };
    actions.forEach((action) => entry.actions.add(action));
    merged.set(key, entry);
  };
  for (const access of accesses) {
    switch (access.level) {
      case TableAccessLevel.READ:
        add(DYNAMODB_READ_ACTIONS, tableArn, access.keyPatterns);
        break;
      case TableAccessLevel.WRITE:
        add(DYNAMODB_WRITE_ACTIONS, tableArn, access.keyPatterns);
        break;
      case TableAccessLevel.READ_WRITE:
        add([...DYNAMODB_READ_ACTIONS, ...DYNAMODB_WRITE_ACTIONS], tableArn, access.keyPatterns);
        break;
      case TableAccessLevel.QUERY_INDEX:
        add(DYNAMODB_INDEX_READ_ACTIONS, indexArn(access.indexName!), access.keyPatterns);
        break;
      case TableAccessLevel.SCAN:
        add(DYNAMODB_SCAN_ACTIONS, access.indexName ? indexArn(access.indexName) : tableArn, []);
        break;
    }
  }
  const statements = [...merged.values()].map(
    ({ actions, resource, patterns }) =>
      new iam.PolicyStatement({
        actions: [...actions],
        resources: [resource],
        conditions: patterns.length
          ? {
              'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': patterns },
              // ForAllValues is vacuously true for a request without a leading key (Scan, PartiQL):
              // requiring the key to be present closes that hole.
              Null: { 'dynamodb:LeadingKeys': 'false' },
            }
          : undefined,
      }),
  );
  const key = model.encryptionKey;
  if (key && accesses.length) {
    const writes = accesses.some((a) => a.level === TableAccessLevel.WRITE || a.level === TableAccessLevel.READ_WRITE);
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
