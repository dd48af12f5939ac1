import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GUARD_ACKNOWLEDGEMENTS } from '../helpers/conformance/acknowledgements';
import { CONFORMANCE_APPS, synthesizeApps, SynthesizedApp } from '../helpers/conformance/apps';
import {
  checkConformance,
  TemplateConformance,
  TemplateUnderCheck,
  unacknowledgedFindings,
} from '../helpers/conformance/conformance';
import { sharedSchemaValidator } from '../helpers/conformance/schema';

/*
 * The guard gate: AWS Control Tower's proactive controls, the CloudFormation Guard rules that
 * `@cdklabs/cdk-validator-cfnguard` ships (https://docs.aws.amazon.com/controltower/latest/controlreference/proactive-controls.html),
 * over the task-board example and a ServerlessApi in each configuration that changes what it synthesizes. A finding
 * passes only if test/helpers/conformance/acknowledgements.ts covers it, with its reason. cfn-guard runs once, over the
 * apps and the deliberately broken templates below together: it costs about half a second per template.
 */

let dir: string;
let apps: SynthesizedApp[];
let results: Map<string, TemplateConformance>;

/** A copy of the app's template, changed by `change`, written next to it. */
function brokenCopy(app: SynthesizedApp, name: string, change: (template: any) => void): TemplateUnderCheck {
  const template = JSON.parse(app.body);
  change(template);
  const templatePath = path.join(dir, `${name}.template.json`);
  const body = JSON.stringify(template);
  fs.writeFileSync(templatePath, body);
  return { name, templatePath, body };
}

function idOf(template: any, type: string, prefix: string): string {
  const ids = Object.keys(template.Resources).filter(
    (id) => template.Resources[id].Type === type && id.startsWith(prefix),
  );
  if (ids.length !== 1) throw new Error(`expected one ${type} starting ${prefix}, found: ${ids}`);
  return ids[0];
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-gate-'));
  apps = synthesizeApps(dir);
  const httpJwt = apps.find((a) => a.name === 'http-jwt')!;
  const broken = [
    // An HTTP API stage without its access log (CT.APIGATEWAY.PR.4).
    brokenCopy(httpJwt, 'no-access-log', (t) => {
      delete t.Resources[idOf(t, 'AWS::ApiGatewayV2::Stage', 'ApiStage')].Properties.AccessLogSettings;
    }),
    // An alarm the composite alarm does not name, without actions: the acknowledgement does not reach it.
    brokenCopy(httpJwt, 'lone-alarm', (t) => {
      t.Resources.LoneAlarm = {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 1,
          MetricName: 'Errors',
          Namespace: 'AWS/Lambda',
          Period: 60,
          Statistic: 'Sum',
          Threshold: 0,
        },
      };
    }),
    // A route with no authorization type at all, next to the public route the acknowledgement covers.
    brokenCopy(
      apps.find((a) => a.name === 'task-board')!,
      'route-without-authorizer',
      (t) => {
        delete t.Resources[idOf(t, 'AWS::ApiGatewayV2::Route', 'ApiRoutesGETsessionssessionId')].Properties
          .AuthorizationType;
      },
    ),
  ];
  results = new Map(checkConformance([...apps, ...broken], sharedSchemaValidator()).map((r) => [r.name, r]));
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the apps the library synthesizes', () => {
  test.each(CONFORMANCE_APPS.map((app) => [app.name, app.description]))(
    '%s (%s): no Control Tower finding that is not acknowledged',
    (name) => {
      expect(unacknowledgedFindings(results.get(name)!)).toEqual([]);
    },
  );

  test.each(CONFORMANCE_APPS.map((app) => [app.name]))('%s: no CloudFormation validation error', (name) => {
    expect(results.get(name)!.schema.errors).toEqual([]);
  });

  test('every acknowledgement still covers a finding in some app, so none outlives its reason', () => {
    const used = new Set(
      CONFORMANCE_APPS.flatMap((app) => results.get(app.name)!.findings.map((f) => f.acknowledgement)),
    );
    expect(GUARD_ACKNOWLEDGEMENTS.filter((a) => !used.has(a)).map((a) => a.control)).toEqual([]);
  });

  test('the README lists exactly the acknowledged controls, for the users who run the same rules on their app', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf-8');
    const section = readme.slice(readme.indexOf("## Checking your app with AWS Control Tower's proactive controls"));
    const listed = [...section.matchAll(/^\| (CT\.[A-Z0-9]+\.PR\.\d+) \(`([a-z0-9_]+)`\)/gm)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    const acknowledged = CONFORMANCE_APPS.flatMap((app) =>
      results
        .get(app.name)!
        .findings.filter((f) => f.acknowledgement)
        .map((f) => `${f.control} ${f.rule}`),
    );
    expect(listed.sort()).toEqual([...new Set(acknowledged)].sort());
  });

  test("the API's own KMS keys pass CT.KMS.PR.3: only AWS services may create grants on them", () => {
    for (const name of ['task-board', 'http-customer-key']) {
      expect(results.get(name)!.findings.filter((f) => f.control === 'CT.KMS.PR.3')).toEqual([]);
    }
  });

  test('the opt-ins the acknowledgements name make their controls pass', () => {
    const controls = (name: string) => results.get(name)!.findings.map((f) => f.control);
    // alarms.compositeAlarm: false
    expect(controls('http-aws-managed-key')).not.toContain('CT.CLOUDWATCH.PR.1');
    // logRetention: ONE_YEAR
    expect(controls('http-existing-table')).not.toContain('CT.CLOUDWATCH.PR.2');
    // executionLogging
    expect(controls('rest-features')).not.toContain('CT.APIGATEWAY.PR.1');
    expect(controls('rest-iam')).toContain('CT.APIGATEWAY.PR.1');
  });

  test('the rules applied: each app passes the least-privilege rules, and its stage the access log (HTTP) or tracing (REST) rule', () => {
    for (const app of CONFORMANCE_APPS) {
      const result = results.get(app.name)!;
      const stageRule = app.name.startsWith('rest-')
        ? 'api_gw_xray_enabled_check'
        : 'api_gw_v2_access_logs_enabled_check';
      expect(result.passedRules).toEqual(
        expect.arrayContaining([
          'iam_inline_policy_no_statements_with_admin_access_check',
          'iam_inline_policy_no_statements_with_full_access_check',
          stageRule,
        ]),
      );
    }
  });
});

describe('the gate finds what it should', () => {
  test('GIVEN an HTTP API stage without its access log THEN CT.APIGATEWAY.PR.4 is a finding no acknowledgement covers', () => {
    const result = results.get('no-access-log')!;
    expect(unacknowledgedFindings(result)).toEqual([
      expect.stringMatching(
        /^CT\.APIGATEWAY\.PR\.4 \(\w+\) on ApiStage\w+ \(AWS::ApiGatewayV2::Stage\): Require an Amazon API Gateway V2 stage to have access logging activated$/,
      ),
    ]);
    expect(result.rulesFailed).toBe(1);
  });

  test("GIVEN an alarm outside the composite alarm, without actions THEN it is a finding, while the composite alarm's signals stay acknowledged", () => {
    const result = results.get('lone-alarm')!;
    expect(unacknowledgedFindings(result)).toEqual([
      'CT.CLOUDWATCH.PR.1 (cloudwatch_alarm_action_check) on LoneAlarm (AWS::CloudWatch::Alarm): Require an Amazon CloudWatch alarm to have an action configured for the alarm state',
    ]);
    const signals = result.findings.filter((f) => f.control === 'CT.CLOUDWATCH.PR.1' && f.acknowledgement);
    expect(signals.length).toBeGreaterThan(0);
  });

  test('GIVEN a route with no authorization type THEN it is a finding, while the public route stays acknowledged', () => {
    const result = results.get('route-without-authorizer')!;
    expect(unacknowledgedFindings(result)).toEqual([
      expect.stringMatching(
        /^CT\.APIGATEWAY\.PR\.5 \(\w+\) on ApiRoutesGETsessionssessionId\w+ \(AWS::ApiGatewayV2::Route\): Require Amazon API Gateway V2 Websocket and HTTP routes to specify an authorization type$/,
      ),
    ]);
    expect(
      result.findings.filter((f) => f.control === 'CT.APIGATEWAY.PR.5' && f.acknowledgement).map((f) => f.logicalId),
    ).toEqual([expect.stringMatching(/^ApiRoutesPOSTwebhooksprovider/)]);
  });
});
