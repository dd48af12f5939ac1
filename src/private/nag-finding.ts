import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * How cdk-nag writes a policy resource into a finding id (`AwsSolutions-IAM5[Resource::<this>]`): the resolved value
 * with references as `<LogicalId>` or `<LogicalId.Attribute>` and `Fn::Join` joined, so an acknowledgement can name
 * exactly the finding a statement the library wrote will raise. cdk-nag stays a tool of the app, not a dependency
 * of the library, hence this rendering here; a test checks it against cdk-nag's own.
 */
export function nagResource(scope: IConstruct, value: string): string {
  return render(Stack.of(scope).resolve(value));
}

function render(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const fn = node as { [key: string]: any };
  if (fn['Fn::Join']) {
    const [delimiter, items] = fn['Fn::Join'] as [string, unknown[]];
    return items.map(render).join(delimiter);
  }
  if (fn['Fn::Sub']) return render(fn['Fn::Sub']);
  if (fn['Fn::GetAtt']) return `<${render(fn['Fn::GetAtt'][0])}.${render(fn['Fn::GetAtt'][1])}>`;
  if (fn['Fn::ImportValue']) return render(fn['Fn::ImportValue']);
  if (fn.Ref) return `<${render(fn.Ref)}>`;
  return JSON.stringify(node);
}
