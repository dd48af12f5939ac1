import { Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LAMBDA_INVOKE_ACTIONS } from '../private/iam-actions';

/** The URI through which API Gateway invokes a function: a route's integration or a Lambda authorizer. */
export function lambdaInvocationUri(scope: Construct, fn: lambda.IFunction): string {
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:apigateway:${stack.region}:lambda:path/2015-03-31/functions/${fn.functionArn}/invocations`;
}

/**
 * The one role through which API Gateway invokes every function and Lambda authorizer of the API, with the
 * statement the builders add each function to: one resource per API instead of a Lambda permission per route.
 */
export function createInvokeRole(scope: Construct): { role: iam.Role; statement: iam.PolicyStatement } {
  const statement = new iam.PolicyStatement({ actions: [...LAMBDA_INVOKE_ACTIONS] });
  const role = new iam.Role(scope, 'InvokeRole', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    description: 'Lets the API invoke its route functions, and nothing else',
  });
  // Rendered at synth: the API's own role of an API whose functions are all in nested stacks invokes nothing.
  const document = new iam.PolicyDocument({ statements: [statement] });
  (role.node.defaultChild as iam.CfnRole).policies = Lazy.any({
    produce: () => (statement.hasResource ? [{ policyName: 'invoke', policyDocument: document }] : undefined),
  });
  return { role, statement };
}
