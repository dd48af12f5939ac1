import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { accessPatternStatements } from './access-policy';
import { ResolvedAccessPattern } from '../table/access-model';
import { TableModel } from '../table/table-builder';

/** The STS actions a function needs to take a caller's session of its caller role. */
const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:TagSession'];

export interface CallerRoleProps {
  /** The function's declared name, for the role's description. */
  readonly functionName: string;
  /** The function's execution role: the only principal that may assume the caller role. */
  readonly functionRole: iam.IRole;
  /** The function's caller-bound patterns. */
  readonly patterns: readonly ResolvedAccessPattern[];
  readonly table: TableModel;
}

/** The session tag keys of a function's caller-bound patterns, sorted: one per bound parameter. */
export function callerTagKeys(patterns: readonly ResolvedAccessPattern[]): string[] {
  return [...new Set(patterns.flatMap((pattern) => Object.keys(pattern.callerBound ?? {})))].sort();
}

/**
 * Every session tag key must be present and hold at least one character: a session without the tag would make
 * `${aws:PrincipalTag/userId}` match nothing, and an empty one would reach the partition `USER#`.
 */
function tagGuards(prefix: 'aws:RequestTag' | 'aws:PrincipalTag', tagKeys: readonly string[]) {
  return {
    Null: Object.fromEntries(tagKeys.map((key) => [`${prefix}/${key}`, 'false'])),
    StringLike: Object.fromEntries(tagKeys.map((key) => [`${prefix}/${key}`, '?*'])),
  };
}

/**
 * The role a route function uses for its caller-bound access patterns. Its `dynamodb:LeadingKeys` conditions name
 * session tags (`USER#${aws:PrincipalTag/userId}`), so a session reaches only the partitions of the caller whose
 * values it was tagged with. Only the function's execution role may assume it, only with `sts:TagSession`, and
 * only with exactly the tag keys the function's patterns declare, each non-empty. The function's own role is
 * never granted these patterns.
 *
 * Role chaining (a Lambda execution role's session assuming another role) caps sessions at one hour:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining
 */
export class CallerRole extends Construct {
  public readonly role: iam.Role;
  /** The session tag keys the function must set, one per bound parameter. */
  public readonly tagKeys: string[];
  /** The policy letting the function's role assume this one: the function must not run before it exists. */
  public readonly assumePolicy: iam.Policy;

  constructor(scope: Construct, id: string, props: CallerRoleProps) {
    super(scope, id);
    const tagKeys = callerTagKeys(props.patterns);
    this.tagKeys = tagKeys;
    const onlyDeclaredTags = { 'ForAllValues:StringEquals': { 'aws:TagKeys': tagKeys } };
    const statements = accessPatternStatements(props.patterns, props.table).map((statement) => {
      const json = statement.toStatementJson();
      // Only table statements carry LeadingKeys; the KMS statement needs no tag.
      if (!json.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']) return statement;
      const guards = tagGuards('aws:PrincipalTag', tagKeys);
      return new iam.PolicyStatement({
        actions: statement.actions,
        resources: statement.resources,
        conditions: {
          ...json.Condition,
          Null: { ...json.Condition.Null, ...guards.Null },
          StringLike: guards.StringLike,
        },
      });
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.PrincipalWithConditions(
        new iam.SessionTagsPrincipal(new iam.ArnPrincipal(props.functionRole.roleArn)),
        { ...onlyDeclaredTags, ...tagGuards('aws:RequestTag', tagKeys) },
      ),
      description:
        `Caller-scoped access of ${props.functionName}: sessions tagged with the caller's ${tagKeys.join(', ')} reach only that caller's partitions`.slice(
          0,
          1000,
        ),
      inlinePolicies: { access: new iam.PolicyDocument({ statements }) },
    });
    // A policy of its own on the function's role: inline in the role, it would make the two roles depend on
    // each other (each names the other's ARN).
    this.assumePolicy = new iam.Policy(this, 'AssumePolicy', {
      roles: [props.functionRole],
      statements: [
        new iam.PolicyStatement({
          actions: ASSUME_ACTIONS,
          resources: [this.role.roleArn],
          conditions: onlyDeclaredTags,
        }),
      ],
    });
  }
}
