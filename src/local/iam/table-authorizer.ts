/**
 * The local table endpoint's authorizer: each DynamoDB request a function signs is evaluated against that function's
 * role statements, and refused with the exception and message DynamoDB gives.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
 */
import type { TableAuthorizer, TableDecision, TableRequest } from '../contracts';
import type { LocalAppModel, LocalFunctionModel } from '../model';
import { dynamoDbIamRequests, DynamoDbPrincipal } from './dynamodb-requests';
import { evaluateIdentityPolicy } from './evaluate';
import type { RoleSessions } from './role-sessions';

/** DynamoDB's message for a request signed with the credentials of a session that has expired. */
export const EXPIRED_TOKEN_MESSAGE = 'The security token included in the request is expired';

/** DynamoDB's message for a request signed with an access key it does not know. */
export const UNRECOGNIZED_CLIENT_MESSAGE = 'The security token included in the request is invalid.';

/** `arn:aws:iam::1:role/path/Name` -> `Name`: a role session's ARN names the role without its path. */
const roleNameOf = (roleArn: string): string => roleArn.slice(roleArn.lastIndexOf('/') + 1);

/** The role session a function runs as: `arn:<partition>:sts::<account>:assumed-role/<role>/<function name>`. */
export function functionPrincipal(app: LocalAppModel, fn: LocalFunctionModel): DynamoDbPrincipal {
  const [, partition = 'aws', , , account] = fn.role.arn.split(':');
  const accountId = account || app.accountId;
  return {
    arn: `arn:${partition}:sts::${accountId}:assumed-role/${roleNameOf(fn.role.arn)}/${fn.functionName}`,
    region: app.region,
    accountId,
    roleArn: fn.role.arn,
  };
}

/**
 * DynamoDB's AccessDeniedException text: `User: <session> is not authorized to perform: <action> on resource:
 * <arn> because no identity-based policy allows the <action> action` (or `with an explicit deny in an
 * identity-based policy`).
 */
export function accessDeniedMessage(principalArn: string, action: string, resource: string, explicit: boolean): string {
  const why = explicit
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${action} action`;
  return `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
}

/**
 * Authorizes requests by the access key they are signed with: `identities` maps each access key id to the logical id
 * of the function that signs with it. For a call of several items (a batch, a transaction), the first item denied
 * decides, as DynamoDB refuses the whole call.
 */
export function createTableAuthorizer(
  app: LocalAppModel,
  identities: ReadonlyMap<string, string>,
  sessions?: RoleSessions,
  now: () => number = Date.now,
): TableAuthorizer {
  const principals = new Map<string, DynamoDbPrincipal>();
  const principalOf = (fn: LocalFunctionModel): DynamoDbPrincipal => {
    let principal = principals.get(fn.logicalId);
    if (!principal) {
      principal = functionPrincipal(app, fn);
      principals.set(fn.logicalId, principal);
    }
    return principal;
  };

  return {
    authorize(request: TableRequest): TableDecision {
      const functionId = identities.get(request.accessKeyId);
      const fn = functionId === undefined ? undefined : app.functions[functionId];
      const session = fn ? undefined : sessions?.session(request.accessKeyId);
      if (session) {
        const who = `function ${session.assumedBy.name} (${session.assumedBy.logicalId}) as ${session.principal.arn} (role ${session.role.logicalId}, tags ${JSON.stringify(session.principal.tags)})`;
        if (session.expiresAtMs <= now()) {
          return {
            allowed: false,
            errorType: 'ExpiredTokenException',
            message: EXPIRED_TOKEN_MESSAGE,
            reason: `${who}: the session expired at ${new Date(session.expiresAtMs).toISOString()}`,
          };
        }
        return decide(request, session.principal, session.role.statements, who);
      }
      if (!fn) {
        return {
          allowed: false,
          errorType: 'UnrecognizedClientException',
          message: UNRECOGNIZED_CLIENT_MESSAGE,
          reason:
            `access key id ${JSON.stringify(request.accessKeyId)} belongs to no function of ${app.stackName}` +
            `${functionId === undefined ? '' : ` (it names ${functionId}, which the app does not have)`}: DynamoDB ` +
            'answers UnrecognizedClientException; sign with the credentials the local API gives the function',
        };
      }
      return decide(
        request,
        principalOf(fn),
        fn.role.statements,
        `function ${fn.name} (${fn.logicalId}, role ${fn.role.logicalId})`,
      );
    },
  };

  function decide(
    request: TableRequest,
    principal: DynamoDbPrincipal,
    statements: LocalFunctionModel['role']['statements'],
    who: string,
  ): TableDecision {
    const requests = dynamoDbIamRequests(request.operation, request.input, app.tables, principal);
    if ('error' in requests) {
      return {
        allowed: false,
        errorType: requests.errorType,
        message: requests.error,
        reason: `${who}: DynamoDB refuses this ${request.operation} before authorizing it: ${requests.error}`,
      };
    }
    for (const [i, iam] of requests.entries()) {
      const verdict = evaluateIdentityPolicy(statements, iam);
      if (verdict.decision === 'Allow') continue;
      const item = requests.length > 1 ? ` (request ${i + 1} of ${requests.length} of the ${request.operation})` : '';
      return {
        allowed: false,
        message: accessDeniedMessage(principal.arn, iam.action, iam.resource, verdict.decision === 'ExplicitDeny'),
        reason: `${who}${item}: ${verdict.reason}`,
      };
    }
    return { allowed: true };
  }
}
