import { Case } from './evaluate';
import { RoleUnderTest, StackModel } from './model';

/**
 * A function reads exactly the secrets it declared: the secrets whose ARNs its environment carries (`secrets` in the
 * construct). `GetSecretValue` on those, nothing else of Secrets Manager, and their customer-managed keys only
 * through Secrets Manager in the stack's region. Every other role reads no secret.
 * Actions and resources: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html
 * Keys: https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
 */

const SECRET_OTHER_ACTIONS = [
  'DescribeSecret',
  'PutSecretValue',
  'UpdateSecret',
  'DeleteSecret',
  'ListSecretVersionIds',
  'GetResourcePolicy',
].map((a) => `secretsmanager:${a}`);

/** The 6 characters Secrets Manager appends to a secret's name in its ARN, as the test templates resolve them. */
const SUFFIX = '-AbCdEf';

const decided = (expected: boolean, action: string, resource: string, why: string, context = {}): Case => ({
  action,
  resource,
  context,
  expected: expected ? 'Allowed' : 'Denied',
  why,
});

/** The default key policy: it delegates to IAM, so the decision is the role's own. */
const delegatingKeyPolicy = (account: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
});

export function secretCases(model: StackModel, role: RoleUnderTest): Case[] {
  const { partition, region, account } = model.env;
  const prefix = `arn:${partition}:secretsmanager:${region}:${account}:secret:`;
  const known = new Set(model.secrets.map((s) => s.arn));
  // A variable holds the full ARN of a secret of the stack, or the partial ARN of one known by name only.
  const declared = new Set(
    Object.values(role.function?.environment ?? {})
      .filter((value) => value.startsWith(prefix))
      .map((value) => (known.has(value) ? value : `${value}${SUFFIX}`)),
  );
  const probes = new Set([...known, ...declared, `${prefix}SomeOtherSecret${SUFFIX}`]);
  // A longer name sharing a declared name's start: the `-??????` of a partial ARN matches exactly the suffix.
  for (const arn of declared) if (!known.has(arn)) probes.add(`${arn.slice(0, -SUFFIX.length)}-extra${SUFFIX}`);

  const cases: Case[] = [];
  for (const arn of probes) {
    const mine = declared.has(arn);
    cases.push(
      decided(
        mine,
        'secretsmanager:GetSecretValue',
        arn,
        mine ? 'a secret it declared' : 'a secret it did not declare',
      ),
    );
    cases.push(...SECRET_OTHER_ACTIONS.map((a) => decided(false, a, arn, 'reading a value needs nothing else')));
  }
  for (const secret of model.secrets.filter((s) => s.keyArn !== undefined)) {
    const key = secret.keyArn!;
    const mine = declared.has(secret.arn);
    const withPolicy = (c: Case): Case => ({ ...c, resourcePolicy: delegatingKeyPolicy(account) });
    const via = (r: string) => ({ 'kms:ViaService': `secretsmanager.${r}.amazonaws.com` });
    cases.push(
      withPolicy(
        decided(
          mine,
          'kms:Decrypt',
          key,
          mine ? "its secret's key, through Secrets Manager" : 'not its secret',
          via(region),
        ),
      ),
      withPolicy(decided(false, 'kms:Decrypt', key, 'through Secrets Manager in another region', via('ap-south-2'))),
      withPolicy(decided(false, 'kms:Decrypt', key, 'called directly, not through Secrets Manager')),
      withPolicy(decided(false, 'kms:Encrypt', key, 'reading a secret never encrypts', via(region))),
    );
  }
  return cases;
}
