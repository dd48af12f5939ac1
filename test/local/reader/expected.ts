import * as fs from 'fs';
import * as path from 'path';

/** What the snapshot suites compare the model with: the template's own values, and the statements the library writes. */

export const template = (dir: string, stack: string) =>
  JSON.parse(fs.readFileSync(path.join(dir, `${stack}.template.json`), 'utf-8')) as { Resources: any };

export const ARN_PREFIX = 'arn:aws:dynamodb:us-east-1:123456789012:table';
export const noParameters = { querystrings: [], headers: [] };

/** A role statement allowing `actions` on the table for keys starting with `prefix` (never without a key). */
export const tableStatement = (table: string, actions: string[], prefix: string) => ({
  Effect: 'Allow',
  Action: actions,
  Resource: [`${ARN_PREFIX}/${table}`],
  Condition: {
    'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${prefix}?*`] },
    Null: { 'dynamodb:LeadingKeys': ['false'] },
  },
});

/** The log and X-Ray statements every bundled function's role starts with. */
export const observability = (stack: string, logGroup: string) => [
  {
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: [`arn:aws:logs:us-east-1:123456789012:log-group:${stack}-${logGroup}:*`],
  },
  { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: ['*'] },
];
