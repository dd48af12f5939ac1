import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { TaskBoardStack } from '../integ/task-board/stack';
import { ApiAuthorization, ApiType, ServerlessApi } from '../src';
import { buildApi, defaultProps, ENV, fn, fullyConfigured, HANDLER_ENTRY, newStack, route } from './helpers/api';

/**
 * No template the library or the example synthesizes carries a secret in a function's environment: no
 * `{{resolve:secretsmanager:...}}` (nor `ssm-secure`) reference, which CloudFormation would resolve into the function's
 * configuration in clear. Functions that read secrets carry their ARNs, and read the values at run time.
 */

const DYNAMIC_SECRET_REFERENCE = /\{\{resolve:(secretsmanager|ssm-secure):/;
const INTEG = path.join(__dirname, '..', 'integ');

type TemplateJson = { Resources?: { [id: string]: { Type: string; Properties?: any } } };

/** `<function logical id>.<variable>` of every environment variable whose value holds a secret reference. */
function secretsInEnvironments(template: TemplateJson): string[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .flatMap(([id, resource]) =>
      Object.entries(resource.Properties?.Environment?.Variables ?? {})
        .filter(([, value]) => DYNAMIC_SECRET_REFERENCE.test(JSON.stringify(value)))
        .map(([name]) => `${id}.${name}`),
    );
}

/** Every environment variable of every function in the template, for the count that shows the walk found them. */
function variableCount(template: TemplateJson): number {
  return Object.values(template.Resources ?? {})
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .reduce((sum, resource) => sum + Object.keys(resource.Properties?.Environment?.Variables ?? {}).length, 0);
}

/** Route functions and Lambda authorizers of both API types reading secrets, one under a customer-managed key. */
function secretReadingStacks(): Stack[] {
  const http = newStack({ env: ENV });
  const key = new kms.Key(http, 'SecretKey', { enableKeyRotation: true });
  const partner = new secretsmanager.Secret(http, 'PartnerToken', { encryptionKey: key });
  const hashes = new secretsmanager.Secret(http, 'TokenHashes');
  new ServerlessApi(http, 'Api', {
    ...defaultProps(),
    authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY, secrets: { TOKEN_HASHES: hashes } }),
    functions: {
      items: fn([route(HttpMethod.GET, '/items/{itemId}')], {
        accessPatterns: ['getItem'],
        secrets: { PARTNER_TOKEN: partner },
      }),
    },
  });
  const rest = newStack();
  const imported = secretsmanager.Secret.fromSecretNameV2(rest, 'Imported', 'partner/webhook');
  const api = new ServerlessApi(rest, 'Api', {
    ...defaultProps(),
    apiType: ApiType.REST,
    authorization: ApiAuthorization.lambdaToken({ entry: HANDLER_ENTRY, secrets: { TOKEN_HASHES: imported } }),
  });
  api.addFunction('partner', fn([route(HttpMethod.POST, '/partner')], { secrets: { PARTNER_TOKEN: imported } }));
  return [http, rest];
}

describe('GIVEN the templates the library and the example synthesize', () => {
  const synthesized: [string, () => Stack][] = [
    ['the task-board example', () => new TaskBoardStack(new App(), 'TaskBoard')],
    ['the default API', () => buildApi().stack],
    ['the fully configured API', () => fullyConfigured().stack],
    ['an HTTP API whose function and authorizer read secrets', () => secretReadingStacks()[0]],
    ['a REST API whose function and token authorizer read an imported secret', () => secretReadingStacks()[1]],
  ];

  test.each(synthesized)('WHEN %s is synthesized THEN no function environment holds a secret reference', (_, build) => {
    const template = Template.fromStack(build()).toJSON() as TemplateJson;

    expect(variableCount(template)).toBeGreaterThan(0);
    expect(secretsInEnvironments(template)).toEqual([]);
  });

  const committed = fs
    .readdirSync(INTEG)
    .filter((dir) => dir.endsWith('.snapshot'))
    .flatMap((dir) =>
      fs
        .readdirSync(path.join(INTEG, dir))
        .filter((file) => file.endsWith('.template.json'))
        .map((file) => path.join(dir, file)),
    );

  test('THEN the integ snapshots are walked too: both apps, their stacks and assertion stacks', () => {
    expect(committed.length).toBeGreaterThanOrEqual(4);
  });

  test.each(committed)(
    'WHEN the committed %s is read THEN no function environment holds a secret reference',
    (file) => {
      const template = JSON.parse(fs.readFileSync(path.join(INTEG, file), 'utf8')) as TemplateJson;

      expect(secretsInEnvironments(template)).toEqual([]);
    },
  );

  test('WHEN a template did hold one THEN the walk would report it (the check can fail)', () => {
    const template: TemplateJson = {
      Resources: {
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Environment: {
              Variables: {
                TOKEN: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: 'S' }, ':SecretString:::}}']] },
              },
            },
          },
        },
      },
    };
    expect(secretsInEnvironments(template)).toEqual(['Fn.TOKEN']);
  });
});

describe('GIVEN functions and authorizers that read secrets', () => {
  test('WHEN checked with cdk-nag THEN their secret statements add no finding (no wildcard beyond the ARN suffix)', () => {
    const findings = secretReadingStacks().flatMap((stack) =>
      [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
        pack
          .validateScope(stack)
          .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName}: ${r.constructPath}`)),
      ),
    );
    // The secrets themselves are the caller's: without rotation, AwsSolutions-SMG4 reports them, not the API.
    expect(findings.filter((finding) => !finding.startsWith('AwsSolutions-SMG4: '))).toEqual([]);
  });
});
