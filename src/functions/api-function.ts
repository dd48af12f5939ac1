import { Lazy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CallerRole } from './caller-role';
import { DeclaredFunction, DeclaredFunctionProps } from './declared-function';
import { IApiFunction } from './function-options';

export type ApiFunctionProps = Omit<DeclaredFunctionProps, 'callerRoleArn' | 'noDeadLetterQueueReason'>;

/**
 * A route function with the only permissions it needs: its own log group, X-Ray (unless tracing is
 * off), the table items, the secrets and the queues it declared; its caller-bound patterns through a caller role.
 */
export class ApiFunction extends DeclaredFunction implements IApiFunction {
  /** The role of its caller-bound access patterns, when it has any. */
  public readonly callerRole?: iam.IRole;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    const bound = props.accessPatterns.filter((pattern) => pattern.callerBound);
    // The caller role names the execution role, so it is built after it; the environment takes its ARN lazily.
    const caller: { role?: CallerRole } = {};
    super(scope, id, {
      ...props,
      callerRoleArn: Lazy.string({ produce: () => caller.role?.role.roleArn }),
      noDeadLetterQueueReason:
        'API Gateway invokes route functions synchronously: failures go back to the caller, never to a queue.',
    });
    if (bound.length) {
      caller.role = new CallerRole(this, 'CallerRole', {
        functionName: props.name,
        functionRole: this.role,
        patterns: bound,
        table: props.table,
      });
      this.callerRole = caller.role.role;
      this.lambdaFunction.node.addDependency(caller.role.assumePolicy);
    }
  }
}
