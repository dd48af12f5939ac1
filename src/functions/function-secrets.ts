import { CfnDynamicReference, IResolveContext, SecretValue, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { KMS_SECRET_DECRYPT_ACTIONS, SECRETS_READ_ACTIONS } from '../private/iam-actions';
import { fail } from '../private/validation';

/**
 * Secrets a bundled function reads at run time: its `secrets` map an environment variable name to a secret, the
 * variable carries the secret's ARN (never its value), the role may read exactly those secrets, and the handler
 * fetches the value with `getSecret(name)` from the runtime toolkit.
 *
 * A value in `environment` is refused when it is a secret: CloudFormation resolves a `{{resolve:secretsmanager:...}}`
 * reference into the function's configuration at deploy time, where anyone allowed `lambda:GetFunctionConfiguration`
 * reads it in clear, and a rotation never reaches the function until the next deployment.
 */

/** Lambda's rule for the keys of a function's environment variables. */
const VARIABLE_NAME = /^[a-zA-Z][a-zA-Z0-9_]+$/;

/** Dynamic references CloudFormation resolves to a secret's value. */
const SECRET_REFERENCE = /\{\{resolve:(secretsmanager|ssm-secure):/;

/**
 * What makes an `environment` value a secret, for the message (`{{resolve:secretsmanager:...}}`); undefined when it is
 * not one.
 */
function secretIn(value: string): string | undefined {
  if (!Token.isUnresolved(value)) return referenceIn(value) === undefined ? undefined : value;
  // The literal text around the tokens is there as written.
  const written = referenceIn(value);
  if (written !== undefined) return written;
  for (const token of Tokenization.reverseString(value).tokens) {
    if (SecretValue.isSecretValue(token)) return 'a SecretValue';
    // `SecretValue.unsafeUnwrap()` gives its dynamic reference, an intrinsic whose value is the reference text.
    if (token instanceof CfnDynamicReference) {
      const reference = referenceIn(JSON.stringify(token.resolve(NO_CONTEXT)));
      if (reference !== undefined) return reference;
    }
  }
  return undefined;
}

/** `{{resolve:secretsmanager:...}}` (or `ssm-secure`) when the text holds such a reference. */
function referenceIn(text: string): string | undefined {
  const service = SECRET_REFERENCE.exec(text)?.[1];
  return service === undefined ? undefined : `{{resolve:${service}:...}}`;
}

const NO_CONTEXT = {} as IResolveContext;

/**
 * Checks a bundled function's `environment` and `secrets` (at `prop`): no environment value is a secret, every secret
 * has a variable name Lambda accepts that neither `reserved` nor `environment` uses, and is a secret.
 */
export function validateFunctionSecrets(
  prop: string,
  environment: { readonly [key: string]: string } | undefined,
  secrets: { readonly [envName: string]: secretsmanager.ISecret } | undefined,
  reserved: readonly string[],
): void {
  for (const [name, value] of Object.entries(environment ?? {})) {
    const secret = typeof value === 'string' ? secretIn(value) : undefined;
    if (secret !== undefined) {
      fail(
        `${prop}.environment.${name}`,
        `not hold a secret, which CloudFormation would write into the function's configuration in clear: declare it in \`${prop}.secrets\` ({ ${name}: secret }), so the variable holds its ARN and the handler reads the value with getSecret("${name}")`,
        secret,
      );
    }
  }
  for (const [name, secret] of Object.entries(secrets ?? {})) {
    if (!VARIABLE_NAME.test(name)) {
      fail(`${prop}.secrets`, 'have environment variable names (a letter, then letters, digits or "_")', name);
    }
    if (reserved.includes(name)) {
      fail(`${prop}.secrets`, `not set ${name}: the library sets it from the API's settings`, name);
    }
    if (environment && Object.hasOwn(environment, name)) {
      fail(`${prop}.secrets`, `not name a variable \`${prop}.environment\` sets too`, name);
    }
    const arn = (secret as Partial<secretsmanager.ISecret> | undefined)?.secretArn;
    if (typeof arn !== 'string') {
      fail(
        `${prop}.secrets.${name}`,
        'be a secretsmanager.ISecret (a Secret, or one imported with Secret.fromSecretCompleteArn())',
        typeof secret === 'string' ? secret : typeof secret,
      );
    }
  }
}

/** The variables carrying the secrets' ARNs: the full ARN where known, else the partial one Secrets Manager completes. */
export function secretEnvironment(secrets: { readonly [envName: string]: secretsmanager.ISecret } | undefined): {
  [key: string]: string;
} {
  return Object.fromEntries(
    Object.entries(secrets ?? {}).map(([name, secret]) => [name, secret.secretFullArn ?? secret.secretArn]),
  );
}

/**
 * What the role needs to read exactly these secrets: `secretsmanager:GetSecretValue` on each (a partial ARN gets
 * the `-??????` suffix Secrets Manager appends, as aws-cdk-lib's `grantRead()` writes it), and `kms:Decrypt` on each
 * customer-managed key, only through Secrets Manager in the secret's region. No DescribeSecret: reading the value
 * needs none.
 */
export function secretStatements(
  secrets: { readonly [envName: string]: secretsmanager.ISecret } | undefined,
): iam.PolicyStatement[] {
  const all = Object.values(secrets ?? {});
  if (all.length === 0) return [];
  const resources = [...new Set(all.map((s) => s.secretFullArn ?? `${s.secretArn}-??????`))];
  const statements = [new iam.PolicyStatement({ actions: [...SECRETS_READ_ACTIONS], resources })];
  const keysByService = new Map<string, Set<kms.IKey>>();
  for (const secret of all) {
    if (!secret.encryptionKey) continue;
    const service = `secretsmanager.${Stack.of(secret).region}.amazonaws.com`;
    keysByService.set(service, (keysByService.get(service) ?? new Set()).add(secret.encryptionKey));
  }
  for (const [service, keys] of keysByService) {
    statements.push(
      new iam.PolicyStatement({
        actions: [...KMS_SECRET_DECRYPT_ACTIONS],
        resources: [...new Set([...keys].map((key) => key.keyArn))],
        conditions: { StringEquals: { 'kms:ViaService': service } },
      }),
    );
  }
  return statements;
}

/** The names a bundled function's `secrets` declare, for messages that must not show the secrets themselves. */
export function secretNames(secrets: { readonly [envName: string]: unknown } | undefined): string[] {
  return Object.keys(secrets ?? {});
}
