import { CfnDynamicReference, CfnDynamicReferenceService, SecretValue, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ApiAuthorization, ApiType, ServerlessApi } from '../../src';
import {
  defaultProps,
  ENV,
  fn,
  functionIds,
  getAtt,
  HANDLER_ENTRY,
  inlineStatements,
  logicalId,
  newStack,
  ref,
  resources,
  route,
} from '../helpers/api';

/**
 * Secrets a function reads at run time: declared in `secrets`, carried as an ARN in the environment, readable by
 * exactly the functions that declare them; a secret in `environment` is refused.
 */

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partner/api-token-AbCdEf';

function variables(template: Template, functionId: string): { [name: string]: unknown } {
  return resources(template)[functionId].Properties.Environment.Variables;
}

function secretStatementsOf(template: Template, roleId: string) {
  return inlineStatements(template, roleId).filter((s) =>
    [s.Action].flat().some((a) => String(a).startsWith('secretsmanager:') || String(a).startsWith('kms:')),
  );
}

describe('GIVEN a route function that declares a secret of its stack', () => {
  let template: Template;
  let secretId: string;
  beforeAll(() => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'SigningSecret');
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      functions: {
        webhooks: fn([route(HttpMethod.POST, '/webhooks')], { secrets: { SIGNING_SECRET: secret } }),
        items: fn([route(HttpMethod.GET, '/items/{itemId}')], { accessPatterns: ['getItem'] }),
      },
    });
    template = Template.fromStack(stack);
    secretId = logicalId(template, 'AWS::SecretsManager::Secret', 'SigningSecret');
  });

  test('THEN its variable holds the secret ARN, never the value', () => {
    expect(variables(template, functionIds(template, 'webhooks').function).SIGNING_SECRET).toEqual(ref(secretId));
  });

  test('THEN its role may read exactly that secret: GetSecretValue on its ARN, no DescribeSecret, no key', () => {
    expect(secretStatementsOf(template, functionIds(template, 'webhooks').role)).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: ref(secretId) },
    ]);
  });

  test('THEN a function that did not declare it has neither the variable nor the permission', () => {
    const items = functionIds(template, 'items');
    expect(variables(template, items.function).SIGNING_SECRET).toBeUndefined();
    expect(secretStatementsOf(template, items.role)).toEqual([]);
  });
});

describe('GIVEN secrets encrypted with a customer-managed key, imported by name and by complete ARN', () => {
  let template: Template;
  beforeAll(() => {
    const stack = newStack({ env: ENV });
    const key = new kms.Key(stack, 'SecretKey');
    const encrypted = new secretsmanager.Secret(stack, 'Encrypted', { encryptionKey: key });
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      functions: {
        items: fn([route(HttpMethod.GET, '/items/{itemId}')], {
          secrets: {
            ENCRYPTED: encrypted,
            // The same secret under two names is one resource of the statement.
            ENCRYPTED_AGAIN: encrypted,
            BY_NAME: secretsmanager.Secret.fromSecretNameV2(stack, 'ByName', 'partner/webhook'),
            BY_ARN: secretsmanager.Secret.fromSecretCompleteArn(stack, 'ByArn', SECRET_ARN),
          },
        }),
      },
    });
    template = Template.fromStack(stack);
  });

  test('THEN the variables hold the ARNs: the partial one for a secret known by name', () => {
    const encrypted = logicalId(template, 'AWS::SecretsManager::Secret', 'Encrypted');
    expect(variables(template, functionIds(template, 'items').function)).toMatchObject({
      ENCRYPTED: ref(encrypted),
      ENCRYPTED_AGAIN: ref(encrypted),
      BY_NAME: {
        'Fn::Join': [
          '',
          ['arn:', ref('AWS::Partition'), ':secretsmanager:eu-west-1:123456789012:secret:partner/webhook'],
        ],
      },
      BY_ARN: SECRET_ARN,
    });
  });

  // As aws-cdk-lib's Secret.grantRead() writes them: a partial ARN matches the 6-character suffix Secrets Manager
  // appends to every secret's name, and the key is usable only through Secrets Manager.
  // https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
  // https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
  test('THEN the role reads the three secrets, and decrypts with the key only through Secrets Manager', () => {
    expect(secretStatementsOf(template, functionIds(template, 'items').role)).toEqual([
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: [
          ref(logicalId(template, 'AWS::SecretsManager::Secret', 'Encrypted')),
          {
            'Fn::Join': [
              '',
              ['arn:', ref('AWS::Partition'), ':secretsmanager:eu-west-1:123456789012:secret:partner/webhook-??????'],
            ],
          },
          SECRET_ARN,
        ],
      },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: getAtt(logicalId(template, 'AWS::KMS::Key', 'SecretKey')),
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      },
    ]);
  });
});

describe('GIVEN Lambda authorizers bundled from an entry, with variables and a secret', () => {
  test('WHEN a request authorizer on an HTTP API THEN it gets its variables and reads exactly its secret', () => {
    const stack = newStack();
    const hashes = new secretsmanager.Secret(stack, 'TokenHashes');
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      authorization: ApiAuthorization.lambdaRequest({
        entry: HANDLER_ENTRY,
        environment: { TENANT: 'acme' },
        secrets: { TOKEN_HASHES: hashes },
      }),
    });
    const template = Template.fromStack(stack);
    const authorizer = logicalId(template, 'AWS::Lambda::Function', 'ApiLambdaAuthorizerFunction');
    expect(variables(template, authorizer)).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'lambda',
      TENANT: 'acme',
      TOKEN_HASHES: ref(logicalId(template, 'AWS::SecretsManager::Secret', 'TokenHashes')),
    });
    const role = logicalId(template, 'AWS::IAM::Role', 'ApiLambdaAuthorizerFunctionRole');
    expect(secretStatementsOf(template, role)).toEqual([
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: ref(logicalId(template, 'AWS::SecretsManager::Secret', 'TokenHashes')),
      },
    ]);
    // The route function reads no secret.
    expect(secretStatementsOf(template, functionIds(template, 'items').role)).toEqual([]);
  });

  test('WHEN a token authorizer on a REST API THEN it gets its secret the same way', () => {
    const stack = newStack();
    const hashes = new secretsmanager.Secret(stack, 'TokenHashes');
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      apiType: ApiType.REST,
      authorization: ApiAuthorization.lambdaToken({ entry: HANDLER_ENTRY, secrets: { TOKEN_HASHES: hashes } }),
    });
    const template = Template.fromStack(stack);
    const authorizer = logicalId(template, 'AWS::Lambda::Function', 'ApiLambdaTokenAuthorizerFunction');
    expect(variables(template, authorizer).TOKEN_HASHES).toEqual(
      ref(logicalId(template, 'AWS::SecretsManager::Secret', 'TokenHashes')),
    );
    const role = logicalId(template, 'AWS::IAM::Role', 'ApiLambdaTokenAuthorizerFunctionRole');
    expect(secretStatementsOf(template, role)).toHaveLength(1);
  });
});

/** Builds the default API with the `items` function's options replaced by `options`, in a fresh stack. */
function withItems(build: (stack: Stack) => Partial<Parameters<typeof fn>[1]>): () => void {
  return () => {
    const stack = newStack();
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      functions: { items: fn([route(HttpMethod.GET, '/items/{itemId}')], build(stack)) },
    });
  };
}

/** The same options given to `addFunction()`. */
function addedWith(build: (stack: Stack) => Partial<Parameters<typeof fn>[1]>): () => void {
  return () => {
    const stack = newStack();
    const api = new ServerlessApi(stack, 'Api', defaultProps());
    api.addFunction('items2', fn([route(HttpMethod.GET, '/other/{itemId}')], build(stack)));
  };
}

const REFUSAL = (prop: string, name: string, got: string) =>
  `\`${prop}.environment.${name}\` must not hold a secret, which CloudFormation would write into the function's configuration in clear: declare it in \`${prop}.secrets\` ({ ${name}: secret }), so the variable holds its ARN and the handler reads the value with getSecret("${name}"), got: ${got}`;

describe('GIVEN a secret in `environment`', () => {
  test.each([
    [
      "the secret's SecretValue",
      (stack: Stack) => new secretsmanager.Secret(stack, 'S').secretValue.unsafeUnwrap(),
      '"{{resolve:secretsmanager:...}}"',
    ],
    [
      "a JSON field's SecretValue",
      (stack: Stack) => new secretsmanager.Secret(stack, 'S').secretValueFromJson('token').unsafeUnwrap(),
      '"{{resolve:secretsmanager:...}}"',
    ],
    ['an SSM SecureString', () => SecretValue.ssmSecure('/app/token').unsafeUnwrap(), '"{{resolve:ssm-secure:...}}"'],
    [
      'a dynamic reference written by hand',
      () => '{{resolve:secretsmanager:partner/webhook:SecretString:token}}',
      '"{{resolve:secretsmanager:partner/webhook:SecretString:token}}"',
    ],
    [
      'a reference around an ARN token',
      (stack: Stack) => `{{resolve:secretsmanager:${new secretsmanager.Secret(stack, 'S').secretArn}}}`,
      '"{{resolve:secretsmanager:...}}"',
    ],
    [
      'a CfnDynamicReference to Secrets Manager',
      () => new CfnDynamicReference(CfnDynamicReferenceService.SECRETS_MANAGER, 'partner/webhook').toString(),
      '"{{resolve:secretsmanager:...}}"',
    ],
  ])('WHEN it is %s THEN synth refuses it and points at `secrets`, in props and in addFunction()', (_, value, got) => {
    expect(withItems((stack) => ({ environment: { SIGNING: value(stack) } }))).toThrow(
      new Error(REFUSAL('functions.items', 'SIGNING', got)),
    );
    expect(addedWith((stack) => ({ environment: { SIGNING: value(stack) } }))).toThrow(
      new Error(REFUSAL('functions.items2', 'SIGNING', got)),
    );
  });

  test('WHEN it is a plain SSM parameter reference THEN it is not a secret, and stays', () => {
    const stack = newStack();
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      functions: {
        items: fn([route(HttpMethod.GET, '/items/{itemId}')], {
          environment: { FLAG: new CfnDynamicReference(CfnDynamicReferenceService.SSM, '/app/flag:1').toString() },
        }),
      },
    });
    const template = Template.fromStack(stack);
    expect(variables(template, functionIds(template, 'items').function).FLAG).toBe('{{resolve:ssm:/app/flag:1}}');
  });

  test("WHEN a bundled authorizer's variable is a SecretValue THEN synth refuses it at the authorizer's prop", () => {
    const stack = newStack();
    const token = new secretsmanager.Secret(stack, 'S').secretValue.unsafeUnwrap();
    expect(
      () =>
        new ServerlessApi(stack, 'Api', {
          ...defaultProps(),
          authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY, environment: { TOKEN: token } }),
        }),
    ).toThrow(new Error(REFUSAL('authorization', 'TOKEN', '"{{resolve:secretsmanager:...}}"')));
  });
});

describe('GIVEN bad `secrets`', () => {
  test.each([
    [
      'a name Lambda refuses',
      { 'bad-name': 'secret' },
      {},
      '`functions.items.secrets` must have environment variable names (a letter, then letters, digits or "_"), got: "bad-name"',
    ],
    [
      'a one-letter name',
      { X: 'secret' },
      {},
      '`functions.items.secrets` must have environment variable names (a letter, then letters, digits or "_"), got: "X"',
    ],
    [
      'a variable the library sets',
      { TABLE_NAME: 'secret' },
      {},
      '`functions.items.secrets` must not set TABLE_NAME: the library sets it from the API\'s settings, got: "TABLE_NAME"',
    ],
    [
      'a variable `environment` sets too',
      { TOKEN: 'secret' },
      { TOKEN: 'x' },
      '`functions.items.secrets` must not name a variable `functions.items.environment` sets too, got: "TOKEN"',
    ],
    [
      'a string where a secret belongs',
      { TOKEN: 'arn' },
      {},
      '`functions.items.secrets.TOKEN` must be a secretsmanager.ISecret (a Secret, or one imported with Secret.fromSecretCompleteArn()), got: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf"',
    ],
  ])('WHEN %s THEN synth refuses it, in props and in addFunction()', (_, names, environment, message) => {
    const build = (stack: Stack) => ({
      environment,
      secrets: Object.fromEntries(
        Object.entries(names).map(([name, kind]) => [
          name,
          kind === 'arn'
            ? ('arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf' as unknown as secretsmanager.ISecret)
            : new secretsmanager.Secret(stack, `S${name.replace(/\W/g, '')}`),
        ]),
      ),
    });
    expect(withItems(build)).toThrow(new Error(message));
    expect(addedWith(build)).toThrow(new Error(message.replace(/functions\.items\b/g, 'functions.items2')));
  });

  test('WHEN an authorizer given as `authorizerFunction` has secrets or variables THEN synth says to grant them itself', () => {
    const stack = newStack();
    const existing = lambda.Function.fromFunctionArn(
      stack,
      'Existing',
      'arn:aws:lambda:eu-west-1:123456789012:function:authorizer',
    );
    const secret = new secretsmanager.Secret(stack, 'S');
    const build = (props: object) => () =>
      new ServerlessApi(stack, `Api${Object.keys(props).join('')}`, {
        ...defaultProps(),
        authorization: ApiAuthorization.lambdaRequest({ authorizerFunction: existing, ...props }),
      });
    expect(build({ secrets: { TOKEN_HASHES: secret } })).toThrow(
      new Error(
        '`authorization.secrets` must be left out with `authorizerFunction`: the library configures only the functions it bundles from `entry`; grant your function its secrets with `secret.grantRead()`, got: ["TOKEN_HASHES"]',
      ),
    );
    expect(build({ environment: { TENANT: 'acme' } })).toThrow(
      new Error(
        '`authorization.environment` must be left out with `authorizerFunction`: the library configures only the functions it bundles from `entry`, got: ["TENANT"]',
      ),
    );
  });
});
