/**
 * The stack's Secrets Manager secrets, each with its local value: the one the caller gives in `secrets` (by the
 * secret's construct name, logical id or name), or a placeholder. Functions read them at run time from the local
 * Secrets Manager, or through a dynamic reference CloudFormation would resolve at deploy time.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secret.html
 */

import { ReadContext } from './context';
import { customerKeyArn } from './kms';
import { T } from '../../assembly/template';
import { LocalSecretModel } from '../model';

/** The names `secrets` may give a secret's value under, the first one preferred: construct name, logical id, name. */
export function secretKeys(ctx: ReadContext, logicalId: string): string[] {
  const keys = [ctx.index.name(logicalId), logicalId];
  if (ctx.index.props(logicalId).Name !== undefined) keys.push(ctx.resolver.physicalName(logicalId));
  return [...new Set(keys)];
}

/** `secret WebhookSigningSecret (WebhookSigningSecretDD964680)`, as messages name it. */
export function secretLabel(ctx: ReadContext, logicalId: string): string {
  const name = ctx.index.name(logicalId);
  return `secret ${name === logicalId ? name : `${name} (${logicalId})`}`;
}

/** The placeholder a secret without a value has locally. */
export function secretPlaceholder(logicalId: string): string {
  return `local-placeholder-${logicalId}`;
}

/** The value `secrets` gives the secret, and the key it is given under; undefined when none is. */
export function givenSecret(ctx: ReadContext, logicalId: string): { key: string; value: string } | undefined {
  const key = secretKeys(ctx, logicalId).find((candidate) => ctx.options.secrets?.[candidate] !== undefined);
  return key === undefined ? undefined : { key, value: ctx.options.secrets![key] };
}

export function readSecrets(ctx: ReadContext): LocalSecretModel[] {
  return ctx.index.ofType(T.secret).map(([logicalId]) => {
    const given = givenSecret(ctx, logicalId);
    const kmsKeyArn = customerKeyArn(
      ctx,
      ctx.index.props(logicalId).KmsKeyId,
      `${secretLabel(ctx, logicalId)} KmsKeyId`,
    );
    return {
      logicalId,
      name: ctx.index.name(logicalId),
      secretName: ctx.resolver.physicalName(logicalId),
      arn: ctx.resolver.string({ Ref: logicalId }, `${secretLabel(ctx, logicalId)} ARN`),
      value: given?.value ?? secretPlaceholder(logicalId),
      given: given !== undefined,
      ...(kmsKeyArn === undefined ? {} : { kmsKeyArn }),
    };
  });
}
