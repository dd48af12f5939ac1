import * as fs from 'fs';
import * as path from 'path';
import { App, CfnElement, NestedStack, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';
import { ApiAuthorization, ServerlessApi } from '../../../src';
import { defaultProps } from '../../helpers/api';
import { REST_API_SNAPSHOT, removeTempDirs, ROOT, runCli, synthesize, TASK_BOARD_SNAPSHOT, tempDir } from '../run';

const NAG_VERSION = (
  JSON.parse(fs.readFileSync(require.resolve('cdk-nag/package.json'), 'utf-8')) as { version: string }
).version;
const PACKS = `cdk-nag ${NAG_VERSION} AwsSolutions and Serverless`;
const SECRET_ROTATION = 'The secret does not have automatic rotation scheduled.';

afterAll(removeTempDirs);

interface JsonFinding {
  readonly stack: string;
  readonly pack: string;
  readonly ruleId: string;
  readonly level: string;
  readonly constructPath?: string;
  readonly logicalId?: string;
  readonly description: string;
}

async function checkJson(args: string[], cwd = ROOT): Promise<{ code: number; findings: JsonFinding[] }> {
  const { code, out, err } = await runCli(['check', ...args, '--json'], cwd);
  expect(err).toBe('');
  return { code, findings: JSON.parse(out) as JsonFinding[] };
}

const logicalIdOf = (construct: IConstruct) =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

describe('the committed integ snapshots', () => {
  test.each([
    [TASK_BOARD_SNAPSHOT, 58, 'TaskBoardIntegStack'],
    [REST_API_SNAPSHOT, 37, 'RestApiIntegStack'],
  ])('%s checks clean, as the app does in process', async (snapshot, resources, stackName) => {
    const { code, out, err } = await runCli(['check', snapshot]);
    expect({ code, out, err }).toEqual({
      code: 0,
      out: `0 unacknowledged findings: ${PACKS} over ${resources} resources in 1 stack (${stackName})\n`,
      err: '',
    });
  });

  test('is clean because of its recorded acknowledgements: without them, each acknowledged finding comes back', async () => {
    // GIVEN the task board's assembly with every acknowledgement removed from its construct metadata
    const copy = tempDir('unacknowledged');
    fs.cpSync(TASK_BOARD_SNAPSHOT, copy, { recursive: true });
    const metadataFile = path.join(copy, 'TaskBoardIntegStack.metadata.json');
    const metadata = JSON.parse(fs.readFileSync(metadataFile, 'utf-8')) as Record<string, { type: string }[]>;
    for (const [constructPath, entries] of Object.entries(metadata)) {
      metadata[constructPath] = entries.filter((entry) => entry.type !== 'aws:cdk:acknowledged-rules');
    }
    fs.writeFileSync(metadataFile, JSON.stringify(metadata));

    // WHEN it is checked THEN exactly what the app acknowledges is reported, on the resource it was acknowledged for
    const { code, findings } = await checkJson([copy]);
    expect(code).toBe(1);
    const functions = ['sessions', 'tasks', 'webhooks'];
    expect(findings.map((f) => `${f.ruleId} ${f.constructPath}`).sort()).toEqual(
      [
        'AwsSolutions-SMG4 TaskBoardIntegStack/WebhookSigningSecret/Resource',
        'AwsSolutions-APIG4 TaskBoardIntegStack/Api/Routes/POST --webhooks--{provider}',
        ...functions.flatMap((name) => [
          `AwsSolutions-IAM5[Resource::*] TaskBoardIntegStack/Api/Functions/${name}/Role/Resource`,
          `Serverless-LambdaStarPermissions TaskBoardIntegStack/Api/Functions/${name}/Role/Resource`,
          `Serverless-LambdaDLQ TaskBoardIntegStack/Api/Functions/${name}/Function/Resource`,
        ]),
        // The notifications queue's worker, its event source mapping and its dead-letter queue.
        'AwsSolutions-IAM5[Resource::*] TaskBoardIntegStack/Api/Workers/notifications/Role/Resource',
        'Serverless-LambdaStarPermissions TaskBoardIntegStack/Api/Workers/notifications/Role/Resource',
        'Serverless-LambdaDLQ TaskBoardIntegStack/Api/Workers/notifications/Function/Resource',
        'Serverless-LambdaEventSourceMappingDestination TaskBoardIntegStack/Api/Workers/notifications/EventSource/Resource',
        'Serverless-SQSRedrivePolicy TaskBoardIntegStack/Api/Queues/notifications/DeadLetterQueue/Resource',
      ].sort(),
    );
  });
});

describe('an app with one deliberate finding', () => {
  /** A clean ServerlessApi and a secret without rotation (AwsSolutions-SMG4), acknowledged where `acknowledge` says. */
  function appWithSecret(acknowledge?: (parts: { stack: Stack; group: Construct; secret: IConstruct }) => IConstruct) {
    let secretId = '';
    const dir = synthesize((app) => {
      const stack = new Stack(app, 'Checked');
      new ServerlessApi(stack, 'Api', defaultProps());
      const group = new Construct(stack, 'Secrets');
      new Construct(stack, 'Sibling');
      const secret = new secretsmanager.Secret(group, 'Webhook');
      secretId = logicalIdOf(secret);
      const target = acknowledge?.({ stack, group, secret });
      if (target) Validations.of(target).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'The provider rotates it.' });
    });
    return { dir, secretId };
  }

  test('exits 1 naming the pack, the rule, the resource and what to do', async () => {
    const { dir, secretId } = appWithSecret();
    const template = fs.readFileSync(path.join(dir, 'Checked.template.json'), 'utf-8');
    expect(template).not.toContain('aws:cdk:path'); // a plain App records no construct path in the template

    const { code, out, err } = await runCli(['check', dir]);

    expect(err).toBe('');
    expect(code).toBe(1);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      `AwsSolutions AwsSolutions-SMG4 (error) Checked/Secrets/Webhook/Resource [${secretId}]: ${SECRET_ROTATION} `,
    );
    expect(lines[1]).toMatch(
      /^1 unacknowledged finding: cdk-nag \S+ AwsSolutions and Serverless over \d+ resources in 1 stack \(Checked\)$/,
    );
    expect(lines[2]).toContain("Validations.of(construct).acknowledge({ id: '<rule id>'");
  });

  test.each<[string, (parts: { stack: Stack; group: Construct; secret: IConstruct }) => IConstruct]>([
    ['on the secret', ({ secret }) => secret],
    ['on a construct above it', ({ group }) => group],
    ['on its stack', ({ stack }) => stack],
  ])('exits 0 when the finding is acknowledged %s', async (_, target) => {
    const { code, out } = await runCli(['check', appWithSecret(target).dir]);
    expect(out).toMatch(/^0 unacknowledged findings: /);
    expect(code).toBe(0);
  });

  test('still exits 1 when the acknowledgement is on a sibling construct, which does not cover it', async () => {
    const { dir } = appWithSecret(({ stack }) => stack.node.findChild('Sibling'));
    const { code, findings } = await checkJson([dir]);
    expect(code).toBe(1);
    expect(findings.map((f) => f.ruleId)).toEqual(['AwsSolutions-SMG4']);
  });
});

describe('the command and cdk-nag in process agree', () => {
  /** A ServerlessApi, and resources with findings of both packs, some acknowledged at different levels. */
  function mixedStack(app: App): Stack {
    const stack = new Stack(app, 'Mixed');
    new ServerlessApi(stack, 'Api', defaultProps());
    new secretsmanager.Secret(stack, 'Secret');
    const worker = new lambda.Function(stack, 'Worker', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    });
    worker.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    Validations.of(worker).acknowledge({ id: 'Serverless-LambdaDLQ', reason: 'Invoked synchronously.' });
    const storage = new Construct(stack, 'Storage');
    new s3.Bucket(storage, 'Bucket');
    Validations.of(storage).acknowledge({ id: 'AwsSolutions-S1', reason: 'Access is logged by CloudTrail.' });
    return stack;
  }

  test('on every rule id, logical id and construct path', async () => {
    let inProcess: string[] = [];
    const dir = synthesize((app) => {
      const stack = mixedStack(app);
      const byPath = new Map(stack.node.findAll().map((c) => [c.node.path, c]));
      inProcess = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
        pack.validateScope(stack).violations.flatMap((violation) =>
          violation.violatingResources.map((resource) => {
            const element = byPath.get(resource.constructPath!) as CfnElement;
            return `${violation.ruleName} ${stack.getLogicalId(element)} ${resource.constructPath}`;
          }),
        ),
      );
    });

    const { code, findings } = await checkJson([dir]);

    expect(code).toBe(1);
    expect(findings.map((f) => `${f.ruleId} ${f.logicalId} ${f.constructPath}`).sort()).toEqual(inProcess.sort());
    // The comparison means something: both packs report, finding-qualified ids included, acknowledgements applied.
    const ruleIds = findings.map((f) => f.ruleId);
    expect(ruleIds).toEqual(
      expect.arrayContaining(['AwsSolutions-SMG4', 'AwsSolutions-S10', 'AwsSolutions-IAM5[Resource::*]']),
    );
    expect(ruleIds.some((id) => id.startsWith('Serverless-'))).toBe(true);
    expect(ruleIds).not.toContain('AwsSolutions-S1');
    expect(ruleIds).not.toContain('Serverless-LambdaDLQ');
    expect(findings.every((f) => f.stack === 'Mixed' && f.description.length > 0)).toBe(true);
  });
});

test("grantInvoke(): the library's acknowledgements of the grantee's route ARNs survive synth, so the assembly checks clean", async () => {
  // GIVEN an IAM API (its route has a path parameter) granted to a role, synthesized
  const dir = synthesize((app) => {
    const stack = new Stack(app, 'Granted');
    const api = new ServerlessApi(stack, 'Api', { ...defaultProps(), authorization: ApiAuthorization.iam() });
    api.grantInvoke(new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() }));
  });

  // WHEN / THEN
  const { code, findings } = await checkJson([dir]);
  expect(findings).toEqual([]);
  expect(code).toBe(0);
});

describe('construct paths', () => {
  function secretAcknowledgedOnItself(context: Record<string, unknown>): string {
    return synthesize((app) => {
      const stack = new Stack(app, 'Paths');
      const secret = new secretsmanager.Secret(stack, 'Secret');
      Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'The provider rotates it.' });
    }, context);
  }

  test('come from the template when synth records no logical-id metadata', async () => {
    const dir = secretAcknowledgedOnItself({
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:disable-logicalId-metadata': true,
    });
    expect(fs.readFileSync(path.join(dir, 'Paths.metadata.json'), 'utf-8')).not.toContain('aws:cdk:logicalId');
    const { code, out } = await runCli(['check', dir]);
    expect(out).toMatch(/^0 unacknowledged findings: /);
    expect(code).toBe(0);
  });

  test('missing altogether leave only acknowledgements on the stack, and the command says so', async () => {
    const dir = secretAcknowledgedOnItself({ 'aws:cdk:disable-logicalId-metadata': true });
    const { code, out, err } = await runCli(['check', dir]);
    expect(err).toBe(
      'serverless-api: note: stack Paths records no construct path for SecretA720EF05 (aws:cdk:logicalId metadata ' +
        'and aws:cdk:path are off), so only acknowledgements on the stack itself cover them\n',
    );
    expect(out).toMatch(
      `AwsSolutions AwsSolutions-SMG4 (error) (construct path not recorded) [SecretA720EF05]: ${SECRET_ROTATION}`,
    );
    expect(code).toBe(1);
  });
});

describe('stacks in a Stage', () => {
  let dir: string;
  beforeAll(() => {
    dir = synthesize((app) => {
      new ServerlessApi(new Stack(app, 'Top'), 'Api', defaultProps());
      const service = new Stack(new Stage(app, 'Prod'), 'Service');
      new secretsmanager.Secret(service, 'Secret');
    });
  });

  test('are checked under their Stage/Stack names', async () => {
    const { code, out } = await runCli(['check', dir]);
    expect(code).toBe(1);
    expect(out).toContain(
      `AwsSolutions AwsSolutions-SMG4 (error) Prod/Service/Secret/Resource [SecretA720EF05]: ${SECRET_ROTATION}`,
    );
    expect(out).toMatch(/^1 unacknowledged finding: .* resources in 2 stacks \(Top, Prod\/Service\)$/m);
  });

  test('--stack checks one of them', async () => {
    const { code, out } = await runCli(['check', dir, '--stack', 'Top']);
    expect(out).toMatch(/^0 unacknowledged findings: .* in 1 stack \(Top\)\n$/);
    expect(code).toBe(0);
  });
});

describe('cdk-nag from the user project', () => {
  let assembly: string;
  beforeAll(() => {
    assembly = synthesize((app) => new secretsmanager.Secret(new Stack(app, 'Lonely'), 'Secret'));
  });

  test('missing: says how to install it and exits 1', async () => {
    const empty = tempDir('no-cdk-nag');
    const { code, out, err } = await runCli(['check', assembly], empty);
    expect({ code, out, err }).toEqual({
      code: 1,
      out: '',
      err:
        `serverless-api: cdk-nag is not installed in ${empty} or ${assembly} or the folders above: ` +
        'install it in your CDK app with `npm install --save-dev cdk-nag`\n',
    });
  });

  test('older than 3: says which one was found and how to upgrade', async () => {
    const project = tempDir('old-cdk-nag');
    const location = path.join(project, 'node_modules', 'cdk-nag');
    fs.mkdirSync(location, { recursive: true });
    fs.writeFileSync(path.join(location, 'package.json'), JSON.stringify({ name: 'cdk-nag', version: '2.37.55' }));
    const { code, err } = await runCli(['check', assembly], project);
    expect(code).toBe(1);
    expect(err).toBe(
      `serverless-api: cdk-nag 2.37.55 in ${location} is too old: check needs cdk-nag 3 or newer (\`npm install --save-dev cdk-nag@3\`)\n`,
    );
  });

  test('found from the folders above the assembly when the working directory has none', async () => {
    const { code, out } = await runCli(['check', REST_API_SNAPSHOT], tempDir('elsewhere'));
    expect(out).toMatch(/^0 unacknowledged findings: /);
    expect(code).toBe(0);
  });
});

test("a nested stack's resources are checked with its parent's, from the nested template the assembly holds", async () => {
  const dir = synthesize((app) => {
    const parent = new Stack(app, 'Parent');
    new secretsmanager.Secret(new NestedStack(parent, 'Storage'), 'Secret');
  });
  const { code, findings } = await checkJson([dir]);
  // THEN the secret in the nested stack has its finding, named by its path below the parent
  expect(findings.map((f) => [f.ruleId, f.constructPath])).toContainEqual([
    'AwsSolutions-SMG4',
    'Parent/Storage/Secret/Resource',
  ]);
  expect(code).toBe(1);
});
