import { StackModel } from './model';
import { policyStatements } from '../../../src/local/iam';
import type { LocalAppModel, LocalFunctionModel, LocalTableModel } from '../../../src/local/model';

/**
 * The parts of the local API's model the table authorizer reads (functions with their role statements, tables),
 * built from a synthesized stack's template. The API itself is left empty: the authorizer never reads it.
 * Key attributes are strings, as the construct declares them.
 */
export function localAppOf(model: StackModel, stackName: string): LocalAppModel {
  const functions: { [logicalId: string]: LocalFunctionModel } = {};
  for (const role of model.roles) {
    const fn = role.function;
    if (!fn) continue;
    functions[fn.logicalId] = {
      logicalId: fn.logicalId,
      name: fn.logicalId,
      functionName: fn.arn.slice(fn.arn.indexOf(':function:') + ':function:'.length),
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      logFormat: 'Text',
      architecture: 'arm64',
      codeDir: '',
      environment: fn.environment,
      timeoutSeconds: 10,
      memorySize: 512,
      role: {
        logicalId: role.logicalId,
        arn: role.arn,
        statements: role.policies.flatMap((p) => policyStatements(p.document, `${role.logicalId} ${p.name}`)),
      },
      logGroupName: fn.logGroupArn,
    };
  }
  const attribute = (name: string) => ({ name, type: 'S' });
  const tables: LocalTableModel[] = model.tables.map((t) => ({
    logicalId: t.logicalId,
    tableName: t.name,
    arn: t.arn,
    partitionKey: attribute(t.partitionKey ?? 'PK'),
    ...(t.sortKey ? { sortKey: attribute(t.sortKey) } : {}),
    globalSecondaryIndexes: Object.entries(t.indexes).map(([indexName, pk]) => ({
      indexName,
      partitionKey: attribute(pk),
      projectionType: 'ALL',
    })),
    localSecondaryIndexes: [],
  }));
  return {
    stackName,
    region: model.env.region,
    accountId: model.env.account,
    api: {
      type: 'HTTP',
      logicalId: 'Api',
      apiId: 'l0c4l4p1id',
      name: 'Api',
      stageName: '$default',
      routes: [],
      authorizers: {},
      usagePlans: [],
      apiKeys: [],
      binaryMediaTypes: [],
      integrationTimeoutMs: 30000,
    },
    functions,
    tables,
    assemblyDir: '',
  };
}
