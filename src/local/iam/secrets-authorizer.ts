/**
 * The local Secrets Manager's authorizer: each GetSecretValue a function signs is evaluated against that function's
 * role statements, as IAM evaluates it for Secrets Manager, and refused with the exception and message it gives.
 *
 * - `secretsmanager:GetSecretValue` on the secret's full ARN, with the `secretsmanager:SecretId` and
 *   `secretsmanager:VersionStage` condition keys of the request:
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html
 * - Denied: `User: <session> is not authorized to perform: secretsmanager:GetSecretValue on resource: <arn> because no
 *   identity-based policy allows the secretsmanager:GetSecretValue action`:
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 * - A secret under a customer-managed key also needs `kms:Decrypt` on the key, which Secrets Manager calls for the
 *   caller (`kms:ViaService` is `secretsmanager.<region>.amazonaws.com`, the encryption context names the secret):
 *   https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html; without it Secrets Manager
 *   answers AccessDeniedException "Access to KMS is not allowed":
 *   https://repost.aws/knowledge-center/secrets-manager-cross-account-key
 */
import type { SecretDecision, SecretRequest, SecretsAuthorizer } from '../contracts';
import type { LocalAppModel } from '../model';
import { evaluateIdentityPolicy } from './evaluate';
import { sessionContext } from './session-context';
import { accessDeniedMessage, functionPrincipal, UNRECOGNIZED_CLIENT_MESSAGE } from './table-authorizer';

export const GET_SECRET_VALUE_ACTION = 'secretsmanager:GetSecretValue';

/** Secrets Manager's message when the caller may read the secret but not decrypt it with its key. */
export const KMS_NOT_ALLOWED_MESSAGE = 'Access to KMS is not allowed';

/**
 * Authorizes GetSecretValue by the access key it is signed with: `identities` maps each access key id to the logical
 * id of the function that signs with it.
 */
export function createSecretsAuthorizer(
  app: LocalAppModel,
  identities: ReadonlyMap<string, string>,
): SecretsAuthorizer {
  return {
    authorize(request: SecretRequest): SecretDecision {
      const functionId = identities.get(request.accessKeyId);
      const fn = functionId === undefined ? undefined : app.functions[functionId];
      if (!fn) {
        return {
          allowed: false,
          errorType: 'UnrecognizedClientException',
          message: UNRECOGNIZED_CLIENT_MESSAGE,
          reason: `access key id ${JSON.stringify(request.accessKeyId)} belongs to no function of ${app.stackName}: sign with the credentials the local API gives the function`,
        };
      }
      const principal = functionPrincipal(app, fn);
      const session = sessionContext(principal);
      const who = `function ${fn.name} (${fn.logicalId}, role ${fn.role.logicalId})`;
      const secretVerdict = evaluateIdentityPolicy(fn.role.statements, {
        action: GET_SECRET_VALUE_ACTION,
        resource: request.resource,
        principalArn: principal.arn,
        context: {
          ...session,
          'secretsmanager:SecretId': request.secretId,
          ...(request.versionStage === undefined ? {} : { 'secretsmanager:VersionStage': request.versionStage }),
        },
      });
      if (secretVerdict.decision !== 'Allow') {
        return {
          allowed: false,
          errorType: 'AccessDeniedException',
          message: accessDeniedMessage(
            principal.arn,
            GET_SECRET_VALUE_ACTION,
            request.resource,
            secretVerdict.decision === 'ExplicitDeny',
          ),
          reason: `${who}: ${secretVerdict.reason}`,
        };
      }
      if (request.kmsKeyArn === undefined) return { allowed: true };
      const keyVerdict = evaluateIdentityPolicy(fn.role.statements, {
        action: 'kms:Decrypt',
        resource: request.kmsKeyArn,
        principalArn: principal.arn,
        context: {
          ...session,
          'kms:ViaService': `secretsmanager.${app.region}.amazonaws.com`,
          'kms:CallerAccount': principal.accountId,
          'kms:EncryptionContext:SecretARN': request.resource,
        },
      });
      if (keyVerdict.decision === 'Allow') return { allowed: true };
      return {
        allowed: false,
        errorType: 'AccessDeniedException',
        message: KMS_NOT_ALLOWED_MESSAGE,
        reason: `${who} may read ${request.resource} but not decrypt it: ${keyVerdict.reason}`,
      };
    },
  };
}
