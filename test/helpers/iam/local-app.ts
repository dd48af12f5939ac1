import { PolicyDocument, RoleUnderTest, StackModel } from './model';
import { policyStatements } from '../../../src/local/iam';
import type {
  LocalAppModel,
  LocalFunctionModel,
  LocalRoleModel,
  LocalTableModel,
  TrustStatementModel,
} from '../../../src/local/model';

/** A trust policy's statements, each with the principals it names by kind (`AWS`, `Service`). */
function trustStatements(trustPolicy: PolicyDocument, where: string): TrustStatementModel[] {
  const raw = [trustPolicy.Statement ?? []].flat() as { Principal?: { [kind: string]: string | string[] } }[];
  return policyStatements(trustPolicy, where).map((statement, i) => {
    const principal = raw[i].Principal;
    if (principal === undefined) return statement;
    return {
      ...statement,
      Principal: Object.fromEntries(Object.entries(principal).map(([kind, value]) => [kind, [value].flat()])),
    };
  });
}

/** The roles an AWS principal may assume (their trust policy names one), by ARN: what the local STS answers for. */
function assumableRoles(roles: readonly RoleUnderTest[]): { [arn: string]: LocalRoleModel } {
  const assumable: { [arn: string]: LocalRoleModel } = {};
  for (const role of roles) {
    const trust = trustStatements(role.trustPolicy, `${role.logicalId} trust policy`);
    if (!trust.some((s) => s.Principal?.AWS)) continue;
    assumable[role.arn] = {
      logicalId: role.logicalId,
      arn: role.arn,
      statements: role.policies.flatMap((p) => policyStatements(p.document, `${role.logicalId} ${p.name}`)),
      trust,
    };
  }
  return assumable;
}

/**
 * The parts of the local API's model the table authorizer and the local STS read (functions with their role
 * statements, tables, the roles a function may assume), built from a synthesized stack's template. The API itself is left empty: the authorizer never reads it.
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
    roles: assumableRoles(model.roles),
    assemblyDir: '',
  };
}
