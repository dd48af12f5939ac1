/** What a Lambda function's template says about how it runs, with Lambda's defaults for what it leaves out. */

import { JsonObject, list, num, str } from './template';

/**
 * Lambda's defaults for properties an `AWS::Lambda::Function` leaves out.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html
 */
export const LAMBDA_DEFAULTS = { architecture: 'x86_64', memorySize: 128, timeoutSeconds: 3 } as const;

export interface LambdaSettings {
  readonly architecture: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  readonly reservedConcurrency?: number;
}

/**
 * The function's settings; `resolve` turns intrinsics into values where the caller can (a template reader that
 * only renders leaves them to the defaults).
 */
export function lambdaSettings(
  props: JsonObject,
  resolve: (value: unknown) => unknown = (value) => value,
): LambdaSettings {
  return {
    architecture: str(resolve(list(props.Architectures)[0])) ?? LAMBDA_DEFAULTS.architecture,
    memorySize: num(resolve(props.MemorySize)) ?? LAMBDA_DEFAULTS.memorySize,
    timeoutSeconds: num(resolve(props.Timeout)) ?? LAMBDA_DEFAULTS.timeoutSeconds,
    reservedConcurrency: num(resolve(props.ReservedConcurrentExecutions)),
  };
}
