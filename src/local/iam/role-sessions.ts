/**
 * Role sessions a function assumes through the local STS: `AssumeRole` authorized as IAM authorizes it, and the
 * credentials it hands out remembered with the session's role and tags, so the table endpoint evaluates requests
 * signed with them against that role, with `aws:PrincipalTag/<key>` set.
 *
 * Authorization (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html and
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required):
 * - the role's trust policy must allow `sts:AssumeRole`, and `sts:TagSession` when tags are passed, for the caller;
 * - a trust policy that names the caller's role (or its session) is enough in the same account; one that names only
 *   the account needs the caller's identity policy to allow the action too;
 * - an explicit deny in either wins.
 * The conditions see `aws:TagKeys`, `aws:RequestTag/<key>` and `sts:RoleSessionName` besides the caller's session keys.
 */
import { randomBytes } from 'crypto';
import { evaluateIdentityPolicy } from './evaluate';
import { localRoleId, sessionContext } from './session-context';
import type { IamRequest } from './types';
import type {
  LocalAppModel,
  LocalFunctionModel,
  LocalRoleModel,
  PolicyStatementModel,
  TrustStatementModel,
} from '../model';
import type { DynamoDbPrincipal } from './dynamodb-requests';

/** A session of a role, made by `AssumeRole`. */
export interface RoleSession {
  readonly role: LocalRoleModel;
  /** Who the session is, as its requests are evaluated: the session ARN, its role and its tags. */
  readonly principal: DynamoDbPrincipal & { readonly tags: { readonly [key: string]: string } };
  readonly expiresAtMs: number;
  /** The function that assumed it. */
  readonly assumedBy: LocalFunctionModel;
}

export interface AssumeRoleInput {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly durationSeconds?: number;
  /** In the order passed. */
  readonly tags: readonly (readonly [string, string])[];
}

export type AssumeRoleOutcome =
  | {
      readonly ok: true;
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly sessionToken: string;
      readonly expiration: Date;
      readonly assumedRoleId: string;
      readonly arn: string;
    }
  | {
      readonly ok: false;
      /** STS's error code: `AccessDenied`, `ValidationError`, `InvalidClientTokenId`. */
      readonly code: string;
      readonly status: number;
      readonly message: string;
      /** For the `DENIED` log line: which policy decided. */
      readonly reason: string;
    };

/** https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (RoleSessionName, DurationSeconds, Tags) */
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const MAX_TAGS = 50;
/** Role chaining (a role session assuming a role) is capped at one hour. */
const ROLE_CHAINING_MAX_SECONDS = 3_600;

type PrincipalLevel = 'principal' | 'account';

/** How a trust statement's `Principal` names the caller, if it does. */
function principalMatch(statement: TrustStatementModel, caller: DynamoDbPrincipal): PrincipalLevel | undefined {
  const listed = statement.Principal?.AWS ?? [];
  const roleArn = caller.roleArn ?? '';
  if (listed.some((p) => p === roleArn || p === caller.arn)) return 'principal';
  const account = `arn:${caller.arn.split(':')[1]}:iam::${caller.accountId}:root`;
  if (listed.some((p) => p === '*' || p === caller.accountId || p === account)) return 'account';
  return undefined;
}

const asIdentityStatement = ({ Principal: _principal, ...statement }: TrustStatementModel): PolicyStatementModel => ({
  ...statement,
  Resource: ['*'],
});

function deniedMessage(caller: DynamoDbPrincipal, action: string, roleArn: string): string {
  return `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${roleArn}`;
}

/** The local STS's memory of the sessions it made, and its `AssumeRole`. */
export class RoleSessions {
  private readonly sessions = new Map<string, RoleSession>();

  constructor(
    private readonly app: LocalAppModel,
    /** Each function's principal, by the access key id it signs with. */
    private readonly callers: (
      accessKeyId: string,
    ) => { fn: LocalFunctionModel; principal: DynamoDbPrincipal } | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The session an access key id belongs to, if the local STS made it. */
  public session(accessKeyId: string): RoleSession | undefined {
    return this.sessions.get(accessKeyId);
  }

  public assumeRole(accessKeyId: string, input: AssumeRoleInput): AssumeRoleOutcome {
    const caller = this.callers(accessKeyId);
    if (!caller) {
      return refuse(
        403,
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
        `access key id ${accessKeyId} belongs to no function of ${this.app.stackName}`,
      );
    }
    const invalid = validate(input);
    if (invalid) return refuse(400, 'ValidationError', invalid, invalid);
    const role = this.app.roles?.[input.roleArn];
    const who = `function ${caller.fn.name} (${caller.fn.logicalId})`;
    if (!role) {
      // STS does not say whether the role exists: an unknown role is refused as a role that does not trust the caller.
      return refuse(
        403,
        'AccessDenied',
        deniedMessage(caller.principal, 'sts:AssumeRole', input.roleArn),
        `${who}: role ${input.roleArn} is not a role of ${this.app.stackName} that an AWS principal may assume`,
      );
    }
    const tags = Object.fromEntries(input.tags);
    const context = {
      ...sessionContext(caller.principal),
      'sts:RoleSessionName': input.sessionName,
      ...(input.tags.length ? { 'aws:TagKeys': input.tags.map(([key]) => key) } : {}),
      ...Object.fromEntries(input.tags.map(([key, value]) => [`aws:RequestTag/${key}`, value])),
    };
    const actions = input.tags.length ? ['sts:AssumeRole', 'sts:TagSession'] : ['sts:AssumeRole'];
    for (const action of actions) {
      const request: IamRequest = { action, resource: role.arn, principalArn: caller.principal.arn, context };
      const verdict = this.authorize(role, caller.fn, caller.principal, request);
      if (verdict) {
        return refuse(403, 'AccessDenied', deniedMessage(caller.principal, action, role.arn), `${who}: ${verdict}`);
      }
    }
    const durationSeconds = input.durationSeconds ?? ROLE_CHAINING_MAX_SECONDS;
    const roleName = role.arn.slice(role.arn.lastIndexOf('/') + 1);
    const [, partition = 'aws', , , account] = role.arn.split(':');
    const arn = `arn:${partition}:sts::${account || this.app.accountId}:assumed-role/${roleName}/${input.sessionName}`;
    const key = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const expiration = new Date(Math.floor(this.now() / 1000) * 1000 + durationSeconds * 1000);
    this.sessions.set(key, {
      role,
      principal: {
        arn,
        region: this.app.region,
        accountId: account || this.app.accountId,
        roleArn: role.arn,
        tags,
      },
      expiresAtMs: expiration.getTime(),
      assumedBy: caller.fn,
    });
    return {
      ok: true,
      accessKeyId: key,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(32).toString('base64'),
      expiration,
      assumedRoleId: `${localRoleId(role.arn)}:${input.sessionName}`,
      arn,
    };
  }

  /** Why the request is denied, or undefined when it is allowed. */
  private authorize(
    role: LocalRoleModel,
    fn: LocalFunctionModel,
    caller: DynamoDbPrincipal,
    request: IamRequest,
  ): string | undefined {
    const byLevel = (wanted: PrincipalLevel) =>
      role.trust.filter((s) => principalMatch(s, caller) === wanted).map(asIdentityStatement);
    const named = byLevel('principal');
    const account = byLevel('account');
    const trust = evaluateIdentityPolicy([...named, ...account], request);
    const identity = evaluateIdentityPolicy(fn.role.statements, request);
    if (trust.decision === 'ExplicitDeny') {
      return `the trust policy of role ${role.logicalId} denies it: ${trust.reason}`;
    }
    if (identity.decision === 'ExplicitDeny') return `the role ${fn.role.logicalId} denies it: ${identity.reason}`;
    if (evaluateIdentityPolicy(named, request).decision === 'Allow') return undefined;
    if (trust.decision !== 'Allow') {
      return `the trust policy of role ${role.logicalId} does not allow ${request.action} for this caller: ${trust.reason}`;
    }
    if (identity.decision !== 'Allow') {
      return `the trust policy of role ${role.logicalId} trusts the account, and no identity policy of role ${fn.role.logicalId} allows ${request.action}: ${identity.reason}`;
    }
    return undefined;
  }
}

function refuse(status: number, code: string, message: string, reason: string): AssumeRoleOutcome {
  return { ok: false, status, code, message, reason };
}

/** STS's own checks of the request, in its words. */
function validate(input: AssumeRoleInput): string | undefined {
  if (!SESSION_NAME.test(input.sessionName)) {
    return `1 validation error detected: Value '${input.sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`;
  }
  const duration = input.durationSeconds;
  if (duration !== undefined && (!Number.isInteger(duration) || duration < 900)) {
    return `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`;
  }
  if (duration !== undefined && duration > ROLE_CHAINING_MAX_SECONDS) {
    return 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.';
  }
  if (input.tags.length > MAX_TAGS) {
    return `1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TAGS}`;
  }
  for (const [i, [key, value]] of input.tags.entries()) {
    if (!TAG_KEY.test(key)) {
      return `1 validation error detected: Value '${key}' at 'tags.${i + 1}.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+`;
    }
    if (!TAG_VALUE.test(value)) {
      return `1 validation error detected: Value '${value}' at 'tags.${i + 1}.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`;
    }
  }
  const keys = input.tags.map(([key]) => key.toLowerCase());
  if (new Set(keys).size !== keys.length) {
    return 'Duplicate tag keys found. Please note that Tag keys are case insensitive.';
  }
  return undefined;
}
