import { Aws, CfnParameter, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { dashboardBody } from '../../src/monitoring/dashboard-body';

/** A variable's value as text: a `Ref` as `<Ref logicalId>`, a literal as itself. */
function placeholder(value: unknown): string {
  return typeof value === 'string' ? value : `<Ref ${(value as { Ref: string }).Ref}>`;
}

/** What CloudFormation makes of an Fn::Sub: each `${name}` replaced, each `${!` written as `${`. */
function substitute(stack: Stack, body: string): string {
  const resolved = stack.resolve(body);
  if (typeof resolved === 'string') return resolved;
  const [template, variables] = resolved['Fn::Sub'] as [string, { [name: string]: unknown }];
  return template
    .replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) => placeholder(variables[name]))
    .replace(/\$\{!/g, '${');
}

describe('dashboardBody', () => {
  test('GIVEN a token used twice THEN it is one Fn::Sub variable, written where each use was', () => {
    const stack = new Stack();
    const metric = new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Errors', region: Aws.REGION });
    const row = [
      new cloudwatch.GraphWidget({ title: 'a', left: [metric] }),
      new cloudwatch.GraphWidget({ title: 'b', left: [metric] }),
    ];

    const resolved = stack.resolve(dashboardBody(stack, [row]));

    expect(Object.values(resolved['Fn::Sub'][1])).toEqual([{ Ref: 'AWS::Region' }]);
    const body = JSON.parse(substitute(stack, dashboardBody(stack, [row])));
    expect(body.widgets.map((w: any) => [w.properties.title, w.properties.region, w.x, w.y])).toEqual([
      ['a', '<Ref AWS::Region>', 0, 0],
      ['b', '<Ref AWS::Region>', 6, 0],
    ]);
  });

  test('GIVEN literal text with "${" THEN it is escaped, and reads back unchanged', () => {
    const stack = new Stack();
    const text = new cloudwatch.TextWidget({ markdown: 'cost ${total} in ${AWS::Region}', width: 24, height: 2 });
    const metric = new cloudwatch.Metric({ namespace: 'N', metricName: 'M', region: Aws.REGION });

    const body = JSON.parse(
      substitute(stack, dashboardBody(stack, [[text], [new cloudwatch.GraphWidget({ left: [metric] })]])),
    );

    expect(body.widgets[0].properties.markdown).toBe('cost ${total} in ${AWS::Region}');
  });

  test('GIVEN a lazy value that is not a string THEN it is resolved into the JSON, as the Dashboard construct does', () => {
    const stack = new Stack();
    const widget = new cloudwatch.TextWidget({ markdown: Lazy.string({ produce: () => 'produced' }), width: 24 });

    expect(JSON.parse(substitute(stack, dashboardBody(stack, [[widget]]))).widgets[0].properties.markdown).toBe(
      'produced',
    );
  });

  test('GIVEN a number known only at deploy time THEN the body falls back to the JSON aws-cdk-lib writes', () => {
    const stack = new Stack();
    const threshold = new CfnParameter(stack, 'Threshold', { type: 'Number' }).valueAsNumber;
    const widget = new cloudwatch.GraphWidget({
      left: [new cloudwatch.Metric({ namespace: 'N', metricName: 'M' })],
      leftAnnotations: [{ value: threshold }],
    });

    const resolved = stack.resolve(dashboardBody(stack, [[widget]]));

    expect(resolved['Fn::Sub']).toBeUndefined();
    expect(JSON.stringify(resolved['Fn::Join'])).toContain('{"Ref":"Threshold"}');
  });
});
