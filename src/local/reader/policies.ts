/**
 * The statements of a function's execution role: its inline policies, the `AWS::IAM::Policy` and
 * `AWS::IAM::RolePolicy` resources attached to it, and the customer managed policies of the template.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
 */

import { ReadContext, refersTo } from './context';
import { UsageError } from '../../assembly/assembly';
import { getAttOf, isObject, JsonObject, list, obj, refOf, T } from '../../assembly/template';
import { LocalFunctionModel, LocalRoleModel, PolicyStatementModel, TrustStatementModel } from '../model';

const ROLE_POLICY = 'AWS::IAM::RolePolicy';

function statementOf(ctx: ReadContext, statement: JsonObject, where: string): PolicyStatementModel {
  const effect = ctx.resolver.string(statement.Effect, `${where} Effect`);
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw new UsageError(`${where} Effect must be Allow or Deny, got: ${effect}`);
  }
  const listed = (key: string) =>
    statement[key] === undefined ? {} : { [key]: ctx.resolver.strings(statement[key], `${where} ${key}`) };
  const condition: { [operator: string]: { [key: string]: string[] } } = {};
  for (const [operator, keys] of Object.entries(obj(statement.Condition))) {
    condition[operator] = {};
    for (const [key, values] of Object.entries(obj(keys))) {
      condition[operator][key] = ctx.resolver.strings(values, `${where} Condition ${operator} ${key}`);
    }
  }
  const sid = ctx.resolver.optionalString(statement.Sid, `${where} Sid`);
  return {
    ...(sid === undefined ? {} : { Sid: sid }),
    Effect: effect,
    ...listed('Action'),
    ...listed('NotAction'),
    ...listed('Resource'),
    ...listed('NotResource'),
    ...(statement.Condition === undefined ? {} : { Condition: condition }),
  };
}

function documentStatements(ctx: ReadContext, document: unknown, where: string): PolicyStatementModel[] {
  return list(obj(document).Statement)
    .filter(isObject)
    .map((statement, i) => statementOf(ctx, statement, `${where} statement ${i}`));
}

/** Whether a policy's `Roles` (or a role policy's `RoleName`) names the role. */
function attachedTo(ctx: ReadContext, props: JsonObject, roleId: string): boolean {
  const name = ctx.resolver.physicalName(roleId);
  return [...list(props.Roles), ...(props.RoleName === undefined ? [] : [props.RoleName])].some(
    (role) => refersTo(ctx, role, roleId) || ctx.resolver.resolve(role) === name,
  );
}

function managedStatements(ctx: ReadContext, roleId: string, where: string): PolicyStatementModel[] {
  const statements: PolicyStatementModel[] = [];
  for (const [i, value] of list(ctx.index.props(roleId).ManagedPolicyArns).entries()) {
    const arn = ctx.resolver.string(value, `${where} ManagedPolicyArns[${i}]`);
    const policyId =
      refOf(value) ??
      ctx.index
        .ofType(T.managedPolicy)
        .map(([id]) => id)
        .find((id) => ctx.resolver.ref(id) === arn);
    if (policyId !== undefined && ctx.index.get(policyId)?.Type === T.managedPolicy) {
      // Attached both ways (the role names it, it names the role): its statements count once.
      if (!attachedTo(ctx, ctx.index.props(policyId), roleId)) {
        statements.push(...documentStatements(ctx, ctx.index.props(policyId).PolicyDocument, `policy ${policyId}`));
      }
    } else {
      const kind = /:iam::aws:policy\//.test(arn) ? 'the AWS managed policy' : 'the managed policy';
      ctx.warnings.push(
        `${where} has ${kind} ${arn}, which is not in this template: its statements are not evaluated locally, so what only it allows is denied`,
      );
    }
  }
  return statements;
}

/** The role a function's `Role` names, and every statement that applies to it. */
export function readRole(ctx: ReadContext, role: unknown, functionWhere: string): LocalFunctionModel['role'] {
  const arn = ctx.resolver.string(role, `${functionWhere} Role`);
  const roleId =
    getAttOf(role)?.[0] ??
    ctx.index
      .ofType(T.role)
      .map(([id]) => id)
      .find((id) => ctx.resolver.getAtt(id, 'Arn') === arn);
  if (roleId === undefined || ctx.index.get(roleId)?.Type !== T.role) {
    ctx.warnings.push(
      `${functionWhere} runs with role ${arn}, which is not in this template: it has no statements locally, so every AWS request it makes is denied`,
    );
    return { logicalId: arn.slice(arn.lastIndexOf('/') + 1), arn, statements: [] };
  }
  return { logicalId: roleId, arn, statements: roleStatements(ctx, roleId) };
}

function roleStatements(ctx: ReadContext, roleId: string): PolicyStatementModel[] {
  const where = `role ${ctx.index.name(roleId)} (${roleId})`;
  const inline = list(ctx.index.props(roleId).Policies)
    .filter(isObject)
    .flatMap((policy, i) => documentStatements(ctx, policy.PolicyDocument, `${where} inline policy ${i}`));
  const attached = ctx.index
    .ofType(T.policy, ROLE_POLICY, T.managedPolicy)
    .filter(([, policy]) => attachedTo(ctx, policy.Properties ?? {}, roleId))
    .flatMap(([id, policy]) => documentStatements(ctx, policy.Properties?.PolicyDocument, `policy ${id}`));
  return [...inline, ...attached, ...managedStatements(ctx, roleId, where)];
}

function trustStatements(ctx: ReadContext, roleId: string): TrustStatementModel[] {
  const where = `role ${ctx.index.name(roleId)} (${roleId}) trust policy`;
  return list(obj(ctx.index.props(roleId).AssumeRolePolicyDocument).Statement)
    .filter(isObject)
    .map((statement, i) => {
      const principal: { [kind: string]: string[] } = {};
      for (const [kind, value] of Object.entries(obj(statement.Principal))) {
        principal[kind] = ctx.resolver.strings(value, `${where} statement ${i} Principal ${kind}`);
      }
      return {
        ...statementOf(ctx, statement, `${where} statement ${i}`),
        ...(statement.Principal === undefined ? {} : { Principal: principal }),
      };
    });
}

/**
 * The roles of the stack that an AWS principal may assume (a role session, not a service): what the local STS
 * answers `AssumeRole` for. Service roles (Lambda's, API Gateway's) are left out.
 */
export function readAssumableRoles(ctx: ReadContext): { [arn: string]: LocalRoleModel } {
  const roles: { [arn: string]: LocalRoleModel } = {};
  for (const [roleId, role] of ctx.index.ofType(T.role)) {
    const trust = obj(role.Properties?.AssumeRolePolicyDocument);
    const namesAws = list(trust.Statement).some((statement) => isObject(statement) && obj(statement.Principal).AWS);
    if (!namesAws) continue;
    const arn = ctx.resolver.getAtt(roleId, 'Arn');
    roles[arn] = {
      logicalId: roleId,
      arn,
      statements: roleStatements(ctx, roleId),
      trust: trustStatements(ctx, roleId),
    };
  }
  return roles;
}
