import * as fs from 'fs';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
  type GetSecretValueCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { functionAccessKeyId, secretsAuthorizerOf } from '../../../src/local/app-version';
import type { LocalAppModel, LocalFunctionModel } from '../../../src/local/model';
import { readLocalApp } from '../../../src/local/reader';
import { startLocalSecretsManager, type LocalSecretsManager } from '../../../src/local/secrets';
import { synthesizeShapes, temporaryDir } from '../reader/fixtures';

/**
 * The local Secrets Manager on a synthesized app with real bundles (`HttpShapes`): the route function `items` declares
 * two secrets, one under a customer-managed key; its Lambda authorizer declares none. Each GetSecretValue is held to
 * the caller's role from the template and answered as Secrets Manager answers it.
 * GetSecretValue: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 * AccessDeniedException text: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 * "Access to KMS is not allowed": https://repost.aws/knowledge-center/secrets-manager-cross-account-key
 * ResourceNotFoundException and the common errors: https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html
 */

let outdir: string;
let cacheDir: string;
let app: LocalAppModel;
let server: LocalSecretsManager;
let logs: string[];
let served: LocalAppModel;

function functionNamed(name: string): LocalFunctionModel {
  return Object.values(app.functions).find((fn) => fn.name === name)!;
}

/** A Secrets Manager client signing as the function, as the local API's credentials for it sign. */
function clientOf(fn: LocalFunctionModel | string): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint: server.endpoint,
    region: app.region,
    maxAttempts: 1,
    credentials: {
      accessKeyId: typeof fn === 'string' ? fn : functionAccessKeyId(fn),
      secretAccessKey: 'local',
      sessionToken: 'local',
    },
  });
}

async function failureOf(client: SecretsManagerClient, input: GetSecretValueCommandInput) {
  try {
    await client.send(new GetSecretValueCommand(input));
  } catch (error) {
    return {
      name: (error as Error).name,
      message: (error as Error).message,
      status: (error as any).$metadata?.httpStatusCode,
    };
  } finally {
    client.destroy();
  }
  throw new Error('expected GetSecretValue to fail');
}

beforeAll(async () => {
  outdir = temporaryDir('secrets-shapes-');
  cacheDir = temporaryDir('secrets-cache-');
  process.env.CDK_SERVERLESS_API_CACHE_DIR = cacheDir;
  synthesizeShapes(outdir);
  app = readLocalApp(outdir, { stack: 'HttpShapes', secrets: { ApiSecret: 'api-s3cret', KeyedSecret: 'k3yed' } });
  served = app;
  logs = [];
  server = await startLocalSecretsManager({
    app: () => served,
    authorizer: () => secretsAuthorizerOf(served),
    log: (line) => logs.push(line),
  });
}, 120_000); // synthesizes three stacks with bundling

afterAll(async () => {
  await server?.close();
  delete process.env.CDK_SERVERLESS_API_CACHE_DIR;
  for (const dir of [outdir, cacheDir]) fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  served = app;
  logs.length = 0;
});

const apiSecret = () => app.secrets!.find((s) => s.name === 'ApiSecret')!;
const keyedSecret = () => app.secrets!.find((s) => s.name === 'KeyedSecret')!;

describe('GIVEN the function that declared the secrets', () => {
  test.each([
    ['its ARN, as the variable holds it', () => functionNamed('items').environment.API_SECRET],
    ['its ARN without the 6-character suffix', () => apiSecret().arn.slice(0, -7)],
    ['its name', () => apiSecret().secretName],
  ])('WHEN it asks by %s THEN it gets the value, the ARN, the name and the current version', async (_, secretId) => {
    const client = clientOf(functionNamed('items'));
    try {
      const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId() }));

      expect(answer).toMatchObject({
        ARN: apiSecret().arn,
        Name: apiSecret().secretName,
        SecretString: 'api-s3cret',
        VersionStages: ['AWSCURRENT'],
        VersionId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        CreatedDate: expect.any(Date),
      });
    } finally {
      client.destroy();
    }
  });

  test('WHEN it asks for the secret under a customer-managed key THEN its role decrypts through Secrets Manager', async () => {
    const client = clientOf(functionNamed('items'));
    try {
      const answer = await client.send(
        new GetSecretValueCommand({ SecretId: functionNamed('items').environment.KEYED_SECRET }),
      );
      expect(answer.SecretString).toBe('k3yed');
    } finally {
      client.destroy();
    }
  });

  test('WHEN it asks for another staging label or version THEN ResourceNotFoundException names it', async () => {
    const secretId = apiSecret().arn;
    expect(
      await failureOf(clientOf(functionNamed('items')), { SecretId: secretId, VersionStage: 'AWSPENDING' }),
    ).toEqual({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret value for staging label: AWSPENDING",
      status: 400,
    });
    expect(
      await failureOf(clientOf(functionNamed('items')), {
        SecretId: secretId,
        VersionId: '00000000-0000-4000-8000-000000000000',
      }),
    ).toEqual({
      name: 'ResourceNotFoundException',
      message:
        "Secrets Manager can't find the specified secret value for VersionId: 00000000-0000-4000-8000-000000000000",
      status: 400,
    });
  });

  test('WHEN its role may read the secret but no longer decrypt its key THEN "Access to KMS is not allowed"', async () => {
    const items = functionNamed('items');
    const withoutKey = {
      ...items,
      role: { ...items.role, statements: items.role.statements.filter((s) => !s.Action?.includes('kms:Decrypt')) },
    };
    served = { ...app, functions: { ...app.functions, [items.logicalId]: withoutKey } };

    expect(await failureOf(clientOf(items), { SecretId: keyedSecret().arn })).toEqual({
      name: 'AccessDeniedException',
      message: 'Access to KMS is not allowed',
      status: 400,
    });
    expect(logs).toEqual([
      expect.stringMatching(
        new RegExp(
          `^DENIED function items \\(${items.logicalId}, role ${items.role.logicalId}\\) may read ${keyedSecret().arn} but not decrypt it: no statement allows kms:Decrypt on ${keyedSecret().kmsKeyArn}`,
        ),
      ),
    ]);
  });
});

describe('GIVEN a function that did not declare the secret (the Lambda authorizer)', () => {
  test('WHEN it asks for the secret THEN AccessDeniedException with the message IAM gives, and a DENIED line', async () => {
    const authorizer = functionNamed('LambdaAuthorizerFunction');
    const session = `arn:aws:sts::123456789012:assumed-role/${authorizer.role.arn.split('/').pop()}/${authorizer.functionName}`;

    expect(await failureOf(clientOf(authorizer), { SecretId: apiSecret().arn })).toEqual({
      name: 'AccessDeniedException',
      message: `User: ${session} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${apiSecret().arn} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
      status: 400,
    });
    expect(logs).toEqual([
      `DENIED function LambdaAuthorizerFunction (${authorizer.logicalId}, role ${authorizer.role.logicalId}): no statement allows secretsmanager:GetSecretValue on ${apiSecret().arn}: no statement names the action`,
    ]);
  });

  test('WHEN it asks for a secret that does not exist THEN it is denied as well: IAM decides before the lookup', async () => {
    const gone = `${apiSecret().arn.slice(0, apiSecret().arn.lastIndexOf(':') + 1)}gone-AbCdEf`;

    expect(await failureOf(clientOf(functionNamed('LambdaAuthorizerFunction')), { SecretId: gone })).toMatchObject({
      name: 'AccessDeniedException',
    });
  });
});

describe('GIVEN other callers and requests', () => {
  test('WHEN the access key belongs to no function THEN UnrecognizedClientException', async () => {
    expect(await failureOf(clientOf('AKIDNOBODY'), { SecretId: apiSecret().arn })).toEqual({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      status: 400,
    });
  });

  test('WHEN the declaring function asks for a secret the stack does not have THEN ResourceNotFoundException', async () => {
    const items = functionNamed('items');
    // A role allowed every secret, so only the lookup can fail.
    const everything = { Effect: 'Allow' as const, Action: ['secretsmanager:GetSecretValue'], Resource: ['*'] };
    served = {
      ...app,
      functions: {
        ...app.functions,
        [items.logicalId]: { ...items, role: { ...items.role, statements: [everything] } },
      },
    };

    expect(await failureOf(clientOf(items), { SecretId: 'not-in-the-stack' })).toEqual({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
      status: 400,
    });
    expect(logs).toEqual([
      "GetSecretValue not-in-the-stack: no secret of HttpShapes has this ARN or name (the local Secrets Manager serves the stack's own secrets)",
    ]);
  });

  test('WHEN another operation is asked for THEN it is refused, and the log says only GetSecretValue is served', async () => {
    const client = clientOf(functionNamed('items'));
    try {
      await expect(client.send(new DescribeSecretCommand({ SecretId: apiSecret().arn }))).rejects.toMatchObject({
        name: 'InvalidAction',
        message: 'The local Secrets Manager answers GetSecretValue only, got: DescribeSecret',
      });
    } finally {
      client.destroy();
    }
    expect(logs).toEqual([
      'The local Secrets Manager answers GetSecretValue only, which is what getSecret() calls: DescribeSecret is refused',
    ]);
  });
});
