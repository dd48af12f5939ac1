/**
 * The Lambda functions the API invokes: how each runs (handler, runtime, limits), its code folder, environment,
 * role statements and log group.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html
 */

import { functionCodeDir } from './code';
import { describeResource, propsOf, ReadContext } from './context';
import { readEnvironment } from './environment';
import { readRole } from './policies';
import { UsageError } from '../../assembly/assembly';
import { lambdaSettings } from '../../assembly/lambda';
import { obj } from '../../assembly/template';
import { LocalFunctionModel } from '../model';

export function readFunction(ctx: ReadContext, logicalId: string): LocalFunctionModel {
  const props = propsOf(ctx, logicalId);
  const where = `function ${describeResource(ctx, logicalId)}`;
  const functionName = ctx.resolver.physicalName(logicalId);
  const settings = lambdaSettings(props, (value) => ctx.resolver.resolve(value));
  if (settings.architecture !== 'arm64' && settings.architecture !== 'x86_64') {
    throw new UsageError(`${where} has the architecture ${settings.architecture}: Lambda runs arm64 or x86_64`);
  }
  const handler = ctx.resolver.string(props.Handler, `${where} Handler`);
  const loggingConfig = obj(props.LoggingConfig);
  const logGroup = loggingConfig.LogGroup;
  const logFormat = ctx.resolver.optionalString(loggingConfig.LogFormat, `${where} LoggingConfig.LogFormat`);
  const applicationLogLevel = ctx.resolver.optionalString(
    loggingConfig.ApplicationLogLevel,
    `${where} LoggingConfig.ApplicationLogLevel`,
  );
  return {
    logicalId,
    name: ctx.index.name(logicalId),
    functionName,
    handler,
    runtime: ctx.resolver.string(props.Runtime, `${where} Runtime`),
    architecture: settings.architecture,
    codeDir: functionCodeDir(ctx, props, ctx.index.get(logicalId)?.Metadata ?? {}, handler, where),
    environment: readEnvironment(ctx, props, where),
    timeoutSeconds: settings.timeoutSeconds,
    memorySize: settings.memorySize,
    ...(settings.reservedConcurrency === undefined ? {} : { reservedConcurrency: settings.reservedConcurrency }),
    role: readRole(ctx, props.Role, where),
    // Without a LoggingConfig, Lambda writes to the log group named after the function.
    logGroupName:
      logGroup === undefined
        ? `/aws/lambda/${functionName}`
        : ctx.resolver.string(logGroup, `${where} LoggingConfig.LogGroup`),
    // Lambda's default is plain text; a JSON log level applies only to the JSON format.
    logFormat: logFormat === 'JSON' ? 'JSON' : 'Text',
    ...(logFormat === 'JSON' && applicationLogLevel ? { applicationLogLevel } : {}),
  };
}
