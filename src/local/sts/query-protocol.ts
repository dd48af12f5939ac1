/**
 * STS's wire format (the AWS query protocol): a form-encoded `Action=AssumeRole&...` request, answered in XML.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 * https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
 */
import { randomUUID } from 'crypto';
import type { AssumeRoleInput, AssumeRoleOutcome } from '../iam/role-sessions';

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** An answer of the local STS. */
export interface StsAnswer {
  readonly status: number;
  readonly body: string;
}

const escapeXml = (text: string): string =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

export function stsError(status: number, code: string, message: string): StsAnswer {
  return {
    status,
    body:
      `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
      `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
      `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

/** The `AssumeRole` request of a form, or the error STS answers for it. */
export function readAssumeRole(form: URLSearchParams): AssumeRoleInput | StsAnswer {
  const action = form.get('Action');
  if (action !== 'AssumeRole') {
    return stsError(400, 'InvalidAction', `Could not find operation ${action ?? ''} for version 2011-06-15`);
  }
  const roleArn = form.get('RoleArn');
  const sessionName = form.get('RoleSessionName');
  if (!roleArn || !sessionName) {
    const missing = !roleArn ? 'roleArn' : 'roleSessionName';
    return stsError(
      400,
      'ValidationError',
      `1 validation error detected: Value null at '${missing}' failed to satisfy constraint: Member must not be null`,
    );
  }
  const tags: [string, string][] = [];
  for (let i = 1; form.has(`Tags.member.${i}.Key`); i++) {
    tags.push([form.get(`Tags.member.${i}.Key`)!, form.get(`Tags.member.${i}.Value`) ?? '']);
  }
  const duration = form.get('DurationSeconds');
  return { roleArn, sessionName, tags, ...(duration === null ? {} : { durationSeconds: Number(duration) }) };
}

export function assumeRoleAnswer(outcome: AssumeRoleOutcome): StsAnswer {
  if (!outcome.ok) return stsError(outcome.status, outcome.code, outcome.message);
  return {
    status: 200,
    body:
      `<AssumeRoleResponse xmlns="${NAMESPACE}"><AssumeRoleResult><Credentials>` +
      `<AccessKeyId>${outcome.accessKeyId}</AccessKeyId><SecretAccessKey>${escapeXml(outcome.secretAccessKey)}</SecretAccessKey>` +
      `<SessionToken>${escapeXml(outcome.sessionToken)}</SessionToken><Expiration>${outcome.expiration.toISOString()}</Expiration>` +
      `</Credentials><AssumedRoleUser><AssumedRoleId>${escapeXml(outcome.assumedRoleId)}</AssumedRoleId>` +
      `<Arn>${escapeXml(outcome.arn)}</Arn></AssumedRoleUser></AssumeRoleResult>` +
      `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
  };
}
