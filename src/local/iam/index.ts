/**
 * Least privilege, enforced by the local API: every DynamoDB request a function makes is turned into the IAM
 * requests AWS authorizes for it and evaluated against the function role's statements from the template, and so is
 * every GetSecretValue it asks the local Secrets Manager for.
 *
 * In scope: identity-based policies (the role's inline, attached and in-template managed policies), with the policy
 * evaluation logic of https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html:
 * Action/NotAction, Resource/NotResource, the string, numeric, boolean, ARN and Null condition operators, the
 * ForAllValues/ForAnyValue prefixes, ...IfExists, and policy variables.
 *
 * Out of scope: resource-based policies, service and resource control policies, permissions boundaries and session
 * policies. The local API evaluates the function role's identity policies only, which is what the construct
 * generates; the date, IP address and binary condition operators are not evaluated (a condition using one never
 * matches).
 */
export type { ContextValue, IamRequest, IamVerdict, RequestContext } from './types';
export { evaluateIdentityPolicy } from './evaluate';
export { dynamoDbIamRequests } from './dynamodb-requests';
export type { DynamoDbPrincipal, DynamoDbRequestError } from './dynamodb-requests';
export {
  accessDeniedMessage,
  createTableAuthorizer,
  functionPrincipal,
  UNRECOGNIZED_CLIENT_MESSAGE,
} from './table-authorizer';
export { createSecretsAuthorizer, GET_SECRET_VALUE_ACTION, KMS_NOT_ALLOWED_MESSAGE } from './secrets-authorizer';
export { sessionContext } from './session-context';
export type { SessionPrincipal } from './session-context';
export { policyStatements } from './policy-document';
