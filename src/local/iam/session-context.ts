/**
 * The global condition keys of a request made with a Lambda function's role session: the function runs as
 * `arn:aws:sts::<account>:assumed-role/<role>/<function name>`.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
 */
import { createHash } from 'crypto';

/** Who calls: the role session's ARN, and where the call goes. */
export interface SessionPrincipal {
  /** `arn:aws:sts::<account>:assumed-role/<role name>/<session name>`. */
  readonly arn: string;
  readonly accountId: string;
  /** The region the request is sent to (`aws:RequestedRegion`); omitted when unknown. */
  readonly region?: string;
  /** The role's own ARN, with its path; by default `arn:<partition>:iam::<account>:role/<role name>`. */
  readonly roleArn?: string;
  /** The session's tags (`AssumeRole` with `Tags`): `aws:PrincipalTag/<key>` in every request it makes. */
  readonly tags?: { readonly [key: string]: string };
}

/** `arn:aws:sts::1:assumed-role/Role/fn` -> role name, session name and partition. */
export function parseSessionArn(arn: string): { partition: string; roleName: string; sessionName: string } {
  const match = /^arn:([^:]+):sts::[^:]*:assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  if (!match) {
    throw new Error(
      `principal ARN must be a role session, arn:<partition>:sts::<account>:assumed-role/<role>/<session>, got: ${arn}`,
    );
  }
  return { partition: match[1], roleName: match[2], sessionName: match[3] };
}

/** Role ids by role ARN: every request of a function asks for its role's. */
const roleIds = new Map<string, string>();

/**
 * A stand-in for the role's unique id (`AROA...`), which IAM assigns when the role is created: stable for a role
 * ARN, so `aws:userid` (`<role id>:<session name>`) is the same on every run.
 */
export function localRoleId(roleArn: string): string {
  let id = roleIds.get(roleArn);
  if (id === undefined) {
    const digest = createHash('sha256').update(roleArn).digest();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    id = `AROA${[...digest.subarray(0, 17)].map((byte) => alphabet[byte % 32]).join('')}`;
    roleIds.set(roleArn, id);
  }
  return id;
}

/**
 * `aws:PrincipalArn` (the role, not the session), `aws:PrincipalAccount`, `aws:PrincipalType` (`AssumedRole`),
 * `aws:userid`, `aws:SecureTransport` (the SDK calls DynamoDB over HTTPS), `aws:RequestedRegion` and the session's
 * tags as `aws:PrincipalTag/<key>`. `aws:username` is absent for a role session, as the docs' principal table says.
 */
export function sessionContext(principal: SessionPrincipal): { [key: string]: string } {
  const { partition, roleName, sessionName } = parseSessionArn(principal.arn);
  const roleArn = principal.roleArn ?? `arn:${partition}:iam::${principal.accountId}:role/${roleName}`;
  return {
    'aws:PrincipalArn': roleArn,
    'aws:PrincipalAccount': principal.accountId,
    'aws:PrincipalType': 'AssumedRole',
    'aws:userid': `${localRoleId(roleArn)}:${sessionName}`,
    'aws:SecureTransport': 'true',
    ...(principal.region ? { 'aws:RequestedRegion': principal.region } : {}),
    ...Object.fromEntries(
      Object.entries(principal.tags ?? {}).map(([key, value]) => [`aws:PrincipalTag/${key}`, value]),
    ),
  };
}
