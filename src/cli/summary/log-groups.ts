/** CloudWatch log groups, their retention and what writes to them. */

import { getAttOf, num, obj, refOf, T, TemplateIndex } from '../../assembly/template';

export interface LogGroupSummary {
  readonly logicalId: string;
  readonly name: string;
  /** Undefined means the log group never expires. */
  readonly retentionDays?: number;
  readonly usedBy: string[];
}

function logGroupUsers(index: TemplateIndex, logGroupId: string): string[] {
  const functions = index
    .ofType(T.function)
    .filter(([, fn]) => refOf(obj(fn.Properties?.LoggingConfig).LogGroup) === logGroupId)
    .map(([id]) => `function ${index.name(id)}`);
  const stages = index
    .ofType(T.stage)
    .filter(([, stage]) => getAttOf(obj(stage.Properties?.AccessLogSettings).DestinationArn)?.[0] === logGroupId)
    .map(([, stage]) => `access log of stage ${index.render(stage.Properties?.StageName ?? '$default')}`);
  return [...functions, ...stages];
}

export function summarizeLogGroups(index: TemplateIndex): LogGroupSummary[] {
  return index.ofType(T.logGroup).map(([id, logGroup]) => ({
    logicalId: id,
    name: index.name(id),
    retentionDays: num(logGroup.Properties?.RetentionInDays),
    usedBy: logGroupUsers(index, id),
  }));
}
