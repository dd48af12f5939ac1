/** Lambda functions: runtime settings, log group and what their role allows. */

import { DynamoStatementSummary, summarizeRoleAccess } from './iam';
import { functionQueues, QueueLinks } from './queues';
import { lambdaSettings } from '../../assembly/lambda';
import { getAttOf, JsonObject, num, obj, refOf, str, T, TemplateIndex } from '../../assembly/template';
import { TABLE_CALLER_ROLE_ENV } from '../../shared/env';

export interface FunctionSummary {
  readonly logicalId: string;
  readonly name: string;
  readonly runtime: string;
  readonly architecture: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly reservedConcurrency?: number;
  readonly logGroup?: string;
  /** Undefined when the log group never expires or is not managed by this template. */
  readonly logRetentionDays?: number;
  readonly logFormat: string;
  readonly dynamodb: DynamoStatementSummary[];
  /** Non-DynamoDB actions, e.g. `logs:PutLogEvents`. */
  readonly otherActions: string[];
  readonly managedPolicies: string[];
  /** The queues whose messages invoke it: it is their worker. */
  readonly worksQueues: string[];
  /** The queues its role may send to. */
  readonly sendsTo: string[];
  readonly warnings: string[];
}

interface FunctionLogGroup {
  readonly name?: string;
  readonly retention?: number;
  /**
   * `resource`: an AWS::Logs::LogGroup, which the log group section reports; `retention`: a Custom::LogRetention;
   * `external`: not in this template, so its retention is unknown here.
   */
  readonly source: 'resource' | 'retention' | 'external';
}

/** The function's log group: LoggingConfig, else a Custom::LogRetention on `/aws/lambda/<function>`. */
function functionLogGroup(index: TemplateIndex, id: string, props: JsonObject): FunctionLogGroup {
  const logGroupId = refOf(obj(props.LoggingConfig).LogGroup);
  if (logGroupId !== undefined) {
    return {
      name: index.name(logGroupId),
      retention: num(index.props(logGroupId).RetentionInDays),
      source: 'resource',
    };
  }
  const retention = index
    .ofType(T.logRetention)
    .find(([, resource]) => JSON.stringify(resource.Properties?.LogGroupName ?? '').includes(`{"Ref":"${id}"}`));
  if (retention !== undefined) {
    const retentionProps = retention[1].Properties ?? {};
    return {
      name: index.render(retentionProps.LogGroupName),
      retention: num(retentionProps.RetentionInDays),
      source: 'retention',
    };
  }
  return { name: str(obj(props.LoggingConfig).LogGroup), source: 'external' };
}

/** The caller role a function's `TABLE_CALLER_ROLE_ARN` names, when it is a role of the template. */
function callerRoleOf(index: TemplateIndex, props: JsonObject): string | undefined {
  const roleId = getAttOf(obj(obj(props.Environment).Variables)[TABLE_CALLER_ROLE_ENV])?.[0];
  return roleId !== undefined && index.get(roleId)?.Type === T.role ? roleId : undefined;
}

export function summarizeFunction(
  index: TemplateIndex,
  id: string,
  props: JsonObject,
  links: QueueLinks = { senders: new Map(), workers: new Map() },
): FunctionSummary {
  const access = summarizeRoleAccess(index, getAttOf(props.Role)?.[0]);
  const asCaller = summarizeRoleAccess(index, callerRoleOf(index, props));
  const logGroup = functionLogGroup(index, id, props);
  const warnings = [...access.warnings, ...asCaller.warnings];
  if (logGroup.name === undefined) {
    warnings.push('WARNING: no managed log group: logs go to /aws/lambda/<name>, which never expires');
  } else if (logGroup.source === 'external') {
    warnings.push(`WARNING: log group ${logGroup.name} is not in this template: its retention is unknown`);
  } else if (logGroup.source === 'retention' && logGroup.retention === undefined) {
    // An AWS::Logs::LogGroup without retention is flagged once, in the log group section.
    warnings.push(`WARNING: log group ${logGroup.name} never expires`);
  }
  const settings = lambdaSettings(props);
  return {
    logicalId: id,
    name: index.name(id),
    // Container-image functions have no Runtime.
    runtime: props.Runtime === undefined ? (str(props.PackageType) ?? 'unknown') : index.render(props.Runtime),
    architecture: settings.architecture,
    memoryMb: settings.memorySize,
    timeoutSeconds: settings.timeoutSeconds,
    reservedConcurrency: settings.reservedConcurrency,
    logGroup: logGroup.name,
    logRetentionDays: logGroup.retention,
    logFormat: str(obj(props.LoggingConfig).LogFormat) ?? 'Text',
    dynamodb: [...access.dynamodb, ...asCaller.dynamodb.map((statement) => ({ ...statement, asCaller: true }))],
    otherActions: access.otherActions,
    managedPolicies: access.managedPolicies,
    ...functionQueues(index, links, index.name(id)),
    warnings,
  };
}
