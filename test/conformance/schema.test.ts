import { App, CfnResource, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { buildApi, logicalId } from '../helpers/api';
import { acceptInvalidTemplates, synthesizedTemplateErrors } from '../helpers/conformance/gate';
import { sharedSchemaValidator } from '../helpers/conformance/schema';

/*
 * The template gate: what each test synthesizes is validated with CloudFormation's own engine
 * (`@aws/cloudformation-validate`: resource provider schemas and cfn-lint rules), and a test whose templates have an
 * error fails. These tests prove it finds what CloudFormation would refuse.
 */

/** A template with one resource of `type` and `properties`. */
function templateWith(type: string, properties: object): string {
  return JSON.stringify({ Resources: { Thing: { Type: type, Properties: properties } } });
}

describe('the validation', () => {
  test('GIVEN a property the resource type does not have WHEN validated THEN it is an error naming the resource and the property', () => {
    // GIVEN
    const body = templateWith('AWS::Logs::LogGroup', { RetentionInDays: 30, Retention: 30 });

    // WHEN
    const result = sharedSchemaValidator()({ name: 'broken', body });

    // THEN
    expect(result.errors).toEqual([
      {
        ruleId: 'F3002',
        severity: 'FATAL',
        logicalId: 'Thing',
        resourceType: 'AWS::Logs::LogGroup',
        propertyPath: 'Properties.Retention',
        message: "Additional properties are not allowed ('Retention' was unexpected)",
      },
    ]);
  });

  test('GIVEN a value outside the values a property allows WHEN validated THEN it is an error, though cfn-lint calls it a warning', () => {
    // GIVEN
    const body = templateWith('AWS::Logs::LogGroup', { RetentionInDays: 31 });

    // WHEN
    const result = sharedSchemaValidator()({ name: 'broken', body });

    // THEN
    expect(result.errors).toEqual([
      expect.objectContaining({
        ruleId: 'W3030',
        propertyPath: 'Properties.RetentionInDays',
        message: expect.stringMatching(/^31 is not one of \[1, 3, 5, 7, 14, 30, 60, 90, /),
      }),
    ]);
    expect(result.warnings).toEqual([]);
  });

  test('GIVEN a required property left out WHEN validated THEN it is an error', () => {
    // GIVEN an HTTP API stage without the API it belongs to
    const body = templateWith('AWS::ApiGatewayV2::Stage', { StageName: '$default' });

    // WHEN
    const result = sharedSchemaValidator()({ name: 'broken', body });

    // THEN
    expect(result.errors.map((e) => `${e.ruleId} ${e.message}`)).toEqual(["F3003 'ApiId' is a required property"]);
  });

  test('GIVEN the API with every default WHEN validated THEN it has no error, only the warning aws-cdk-lib causes', () => {
    // GIVEN
    const { template } = buildApi();

    // WHEN
    const result = sharedSchemaValidator()({ name: 'Test', body: JSON.stringify(template.toJSON()) });

    // THEN W3005: the function's DependsOn on its role, which aws-cdk-lib adds next to the role's GetAtt
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => `${w.ruleId} ${w.logicalId}`)).toEqual([
      `W3005 ${logicalId(template, 'AWS::Lambda::Function', 'ApiFunctionsitemsFunction')}`,
    ]);
  });
});

describe('the gate around each test', () => {
  afterEach(() => {
    // Nothing is left for the gate: each test takes what it synthesized.
    expect(synthesizedTemplateErrors()).toEqual([]);
  });

  test('GIVEN a stack with an invalid property WHEN Template.fromStack() synthesizes it THEN the gate reports it', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Broken');
    const group = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    (group.node.defaultChild as logs.CfnLogGroup).addPropertyOverride('Retention', 30);

    // WHEN
    const id = logicalId(Template.fromStack(stack), 'AWS::Logs::LogGroup', 'Logs');

    // THEN
    expect(synthesizedTemplateErrors()).toEqual([
      `Broken: ${id} (AWS::Logs::LogGroup) Properties.Retention: [F3002] Additional properties are not allowed ('Retention' was unexpected)`,
    ]);
  });

  test('GIVEN two stacks, one with an unknown resource property WHEN app.synth() runs THEN the gate reports that stack only', () => {
    // GIVEN
    const app = new App();
    new logs.LogGroup(new Stack(app, 'Valid'), 'Logs');
    new CfnResource(new Stack(app, 'Broken'), 'Stage', {
      type: 'AWS::ApiGatewayV2::Stage',
      properties: { ApiId: 'abc123', StageName: '$default', AutoDeployment: true },
    });

    // WHEN
    app.synth();

    // THEN
    expect(synthesizedTemplateErrors()).toEqual([
      "Broken: Stage (AWS::ApiGatewayV2::Stage) Properties.AutoDeployment: [F3002] Additional properties are not allowed ('AutoDeployment' was unexpected)",
    ]);
  });

  test('GIVEN a stack in a nested stage WHEN app.synth() runs THEN its error is reported once', () => {
    // GIVEN
    const app = new App();
    const stack = new Stack(new Stage(app, 'Beta'), 'Svc');
    new CfnResource(stack, 'Group', { type: 'AWS::Logs::LogGroup', properties: { RetentionInDays: 31 } });

    // WHEN the app synthesizes the stage's assembly, then its own
    app.synth();

    // THEN
    expect(synthesizedTemplateErrors()).toEqual([
      expect.stringMatching(
        /^Beta\/Svc: Group \(AWS::Logs::LogGroup\) Properties.RetentionInDays: \[W3030\] 31 is not one of /,
      ),
    ]);
  });

  test('GIVEN the same app synthesized twice WHEN checked THEN its templates are checked once', () => {
    // GIVEN
    const app = new App();
    const stack = new Stack(app, 'Once');
    new CfnResource(stack, 'Group', { type: 'AWS::Logs::LogGroup', properties: { RetentionInDays: 31 } });

    // WHEN the stage hands back the assembly it already made
    app.synth();
    Template.fromStack(stack);

    // THEN
    expect(synthesizedTemplateErrors()).toHaveLength(1);
  });

  test('GIVEN acceptInvalidTemplates(reason) WHEN the test synthesizes an invalid template THEN the gate lets it pass', () => {
    // GIVEN
    acceptInvalidTemplates('this test proves the exemption works');
    const stack = new Stack(new App(), 'Exempt');
    new CfnResource(stack, 'Group', { type: 'AWS::Logs::LogGroup', properties: { RetentionInDays: 31 } });

    // WHEN
    Template.fromStack(stack);

    // THEN
    expect(synthesizedTemplateErrors()).toEqual([]);
  });

  test('GIVEN no reason WHEN acceptInvalidTemplates() is called THEN it refuses', () => {
    expect(() => acceptInvalidTemplates(' ')).toThrow(
      new Error('acceptInvalidTemplates() needs the reason the test may do it'),
    );
  });
});
