import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CLOUDWATCH_TOPIC_KEY_ACTIONS, SNS_PUBLISH_ACTIONS } from '../private/iam-actions';
import { limitGrantsToAwsServices } from '../private/key-policy';

/**
 * The topic the API's alarms notify: encrypted at rest with its own rotated key and accepting only TLS.
 * CloudWatch alarms cannot use SNS's AWS-managed key, so the key is customer-managed, and both the key
 * and the topic let CloudWatch in only on behalf of this API's alarms (`aws:SourceArn` on their name
 * prefix, `aws:SourceAccount`), which closes the confused-deputy path.
 */
export class AlarmTopic extends Construct {
  public readonly topic: sns.Topic;
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: { readonly alarmNamePrefix: string }) {
    super(scope, id);
    const stack = Stack.of(this);
    const conditions = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: `${props.alarmNamePrefix}-*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    const cloudwatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');

    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the alarm notifications of ${props.alarmNamePrefix}`,
      enableKeyRotation: true,
      // The key protects notifications in flight only: nothing stays encrypted with it once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    limitGrantsToAwsServices(this.key);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [cloudwatch],
        actions: [...CLOUDWATCH_TOPIC_KEY_ACTIONS],
        resources: ['*'],
        conditions,
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `Alarms of ${props.alarmNamePrefix}`.slice(0, 100),
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [cloudwatch],
        actions: [...SNS_PUBLISH_ACTIONS],
        resources: [this.topic.topicArn],
        conditions,
      }),
    );
  }
}
