import { flattenNestedStacks, NestedTemplateRef } from '../../src/assembly/nested';
import { CfnTemplate } from '../../src/assembly/template';

/**
 * A nested stack is an `AWS::CloudFormation::Stack` whose `TemplateURL` names its template's asset and whose
 * `Parameters` pass the parent's values in; the parent reads its outputs as `Outputs.<name>` attributes:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudformation-stack.html
 */
const HASH = 'b'.repeat(64);

const parent: CfnTemplate = {
  Resources: {
    Table: { Type: 'AWS::DynamoDB::GlobalTable', Properties: {} },
    InvokeRole: { Type: 'AWS::IAM::Role', Properties: { Description: 'parent' } },
    Inner: {
      Type: 'AWS::CloudFormation::Stack',
      Properties: {
        TemplateURL: { 'Fn::Join': ['', ['https://s3.', { Ref: 'AWS::Region' }, `/bucket/${HASH}.json`]] },
        Parameters: { referencetoTableArn: { 'Fn::GetAtt': ['Table', 'Arn'] } },
      },
    },
    Dashboard: {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: { DashboardBody: { 'Fn::GetAtt': ['Inner', 'Outputs.FnName'] } },
      DependsOn: ['Inner', 'Table'],
    } as never,
  },
};

const nested = {
  Parameters: { referencetoTableArn: { Type: 'String' } },
  Resources: {
    Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['InvokeRole', 'Arn'] } } },
    InvokeRole: {
      Type: 'AWS::IAM::Role',
      Properties: { Policies: [{ PolicyDocument: { Resource: { Ref: 'referencetoTableArn' } } }] },
    },
  },
  Outputs: { FnName: { Value: { Ref: 'Fn' } } },
} as CfnTemplate;

describe('flattenNestedStacks', () => {
  const reads: NestedTemplateRef[] = [];
  const flat = flattenNestedStacks(parent, (ref) => {
    reads.push(ref);
    return ref.assetHash === HASH ? nested : undefined;
  });

  test('GIVEN a nested stack found by the asset hash of its TemplateURL THEN its resources replace it', () => {
    expect(reads).toEqual([{ assetHash: HASH }]);
    expect(Object.keys(flat.Resources!).sort()).toEqual(['Dashboard', 'Fn', 'InnerInvokeRole', 'InvokeRole', 'Table']);
  });

  test('THEN a logical id the parent uses is prefixed with the nested stack resource, references to it too', () => {
    expect(flat.Resources!.InvokeRole.Properties).toEqual({ Description: 'parent' });
    expect(flat.Resources!.Fn.Properties).toEqual({ Role: { 'Fn::GetAtt': ['InnerInvokeRole', 'Arn'] } });
  });

  test('THEN a parameter becomes the value the parent passes, and an output attribute the output value', () => {
    expect(flat.Resources!.InnerInvokeRole.Properties).toEqual({
      Policies: [{ PolicyDocument: { Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } } }],
    });
    expect(flat.Resources!.Dashboard.Properties).toEqual({ DashboardBody: { Ref: 'Fn' } });
    expect((flat.Resources!.Dashboard as unknown as { DependsOn: string[] }).DependsOn).toEqual(['Table']);
  });

  test('GIVEN a nested stack whose template is not found THEN the template stays as it is', () => {
    expect(flattenNestedStacks(parent, () => undefined)).toBe(parent);
  });
});
