import { ConstructMetadata } from '../../../src/assembly/construct-metadata';
import { acknowledgementsCovering } from '../../../src/cli/check/acknowledgements';

const ack = (data: Record<string, string>) => ({ type: 'aws:cdk:acknowledged-rules', data });

describe('acknowledgementsCovering (cdk-nag 3 scope rule: the resource and every construct above it)', () => {
  const metadata: ConstructMetadata = new Map([
    ['/Stack', [ack({ 'annotation::Serverless-LambdaTracing': 'stack-wide' })]],
    [
      '/Stack/Api',
      [{ type: 'aws:cdk:analytics:construct', data: '*' }, ack({ 'AwsSolutions-IAM5[Resource::*]': 'api' })],
    ],
    // acknowledge() records the whole set again on each call; the last entry holds all of them.
    [
      '/Stack/Api/Role',
      [ack({ 'annotation::A': 'first' }), ack({ 'annotation::A': 'first', 'annotation::B': 'second' })],
    ],
    ['/Stack/ApiExtra', [ack({ 'annotation::Other': 'not an ancestor of Api/...' })]],
    ['/Stack/Api/Role/Resource', [{ type: 'aws:cdk:logicalId', data: 'ApiRole1234' }]],
  ]);

  test('gathers the resource its own, its parents and its stack, ids kept as recorded', () => {
    expect(acknowledgementsCovering(metadata, 'Stack/Api/Role/Resource')).toEqual({
      'annotation::A': 'first',
      'annotation::B': 'second',
      'AwsSolutions-IAM5[Resource::*]': 'api',
      'annotation::Serverless-LambdaTracing': 'stack-wide',
    });
  });

  test('matches whole path segments: Stack/ApiExtra does not cover Stack/Api/...', () => {
    expect(Object.keys(acknowledgementsCovering(metadata, 'Stack/Api/Table/Resource'))).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
      'annotation::Serverless-LambdaTracing',
    ]);
  });

  test('the nearest acknowledgement gives the reason when a rule is acknowledged at two levels', () => {
    const twice: ConstructMetadata = new Map([
      ['/S', [ack({ 'annotation::R': 'outer' })]],
      ['/S/Inner', [ack({ 'annotation::R': 'inner' })]],
    ]);
    expect(acknowledgementsCovering(twice, 'S/Inner/Resource')).toEqual({ 'annotation::R': 'inner' });
  });
});
