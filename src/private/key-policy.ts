import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KMS_GRANT_ACTIONS } from './iam-actions';

/**
 * Lets only AWS services create grants on a key the API creates, for the resources they run on it (DynamoDB for the
 * table): no principal in the account can pass the key's use on with a grant, outside IAM and the key policy. This is
 * the statement AWS Control Tower's control CT.KMS.PR.3 asks of a key policy
 * (https://docs.aws.amazon.com/controltower/latest/userguide/kms-rules.html#ct-kms-pr-3-description).
 */
export function limitGrantsToAwsServices(key: kms.Key): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: [...KMS_GRANT_ACTIONS],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }),
  );
}
