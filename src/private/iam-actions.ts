/**
 * IAM action lists: the single place that says which API calls each kind of access allows.
 *
 * Deliberately explicit (no wildcards such as `dynamodb:Get*`), so a role grants exactly what is
 * listed here and IAM reviews read them as written. Scan and PartiQL are never part of a default.
 */

/** Reading items by full key; ConditionCheckItem is the read-only check inside TransactWriteItems. */
export const DYNAMODB_GET_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
] as const;

/** Reading one partition (of the table or an index): the partition key is always part of the request. */
export const DYNAMODB_QUERY_ACTIONS = ['dynamodb:Query'] as const;

/**
 * Writing items by full key, one action per kind of write. BatchWriteItem is never granted: one action
 * allows both puts and deletes, so it would widen a put-only function to deletes.
 */
export const DYNAMODB_PUT_ACTIONS = ['dynamodb:PutItem'] as const;
export const DYNAMODB_UPDATE_ACTIONS = ['dynamodb:UpdateItem'] as const;
export const DYNAMODB_DELETE_ACTIONS = ['dynamodb:DeleteItem'] as const;

/** Scan carries no partition key, so it can never be scoped by `dynamodb:LeadingKeys`. */
export const DYNAMODB_SCAN_ACTIONS = ['dynamodb:Scan'] as const;

/** Using a customer-managed table key through DynamoDB to read items. */
export const KMS_TABLE_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;

/** Using a customer-managed table key through DynamoDB to write items. */
export const KMS_TABLE_WRITE_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey'] as const;

/** Creating a grant on a KMS key: allowed on the API's own keys only for AWS services, on behalf of their resources. */
export const KMS_GRANT_ACTIONS = ['kms:CreateGrant'] as const;

/** Writing a function's own log streams (the log group itself is created by the stack). */
export const LOGS_WRITE_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'] as const;

/** Sending X-Ray trace segments; X-Ray has no resource-level permissions. */
export const XRAY_WRITE_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;

/** Calling routes authorized with ApiAuthorization.iam(), through `ServerlessApi.grantInvoke()`. */
export const EXECUTE_API_INVOKE_ACTIONS = ['execute-api:Invoke'] as const;

/** API Gateway invoking the route functions through the integrations' credentials role. */
export const LAMBDA_INVOKE_ACTIONS = ['lambda:InvokeFunction'] as const;

/** Putting events on an event bus, bounded by the `events:source` and `events:detail-type` condition keys. */
export const EVENTBRIDGE_PUT_ACTIONS = ['events:PutEvents'] as const;

/**
 * What Lambda's event source mapping does with a stream worker's role to read the table's stream
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html#events-dynamodb-permissions): these three on the
 * stream's ARN, and `dynamodb:ListStreams`, which supports no resource-level permission
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html).
 */
export const DYNAMODB_STREAM_READ_ACTIONS = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
] as const;
export const DYNAMODB_STREAM_LIST_ACTIONS = ['dynamodb:ListStreams'] as const;

/** Reading the records of a stream whose table is encrypted with a customer-managed key. */
export const KMS_STREAM_READ_ACTIONS = ['kms:Decrypt'] as const;

/**
 * Lambda sending a failed event (an async invocation's, or a stream batch's description) to a worker's dead-letter
 * queue, with the worker's own role (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
 */
export const FAILURE_DESTINATION_SEND_ACTIONS = ['sqs:SendMessage'] as const;

/**
 * API Gateway's account-wide CloudWatch role writing REST APIs' access and execution logs: the list of AWS's
 * managed policy AmazonAPIGatewayPushToCloudWatchLogs, written out so the role holds an inline policy.
 */
export const APIGATEWAY_ACCOUNT_LOGS_ACTIONS = [
  'logs:CreateLogGroup',
  'logs:CreateLogStream',
  'logs:DescribeLogGroups',
  'logs:DescribeLogStreams',
  'logs:PutLogEvents',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
] as const;

/** CloudWatch publishing alarm notifications to a topic encrypted with a customer-managed key. */
export const CLOUDWATCH_TOPIC_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey*'] as const;

/** CloudWatch publishing alarm notifications to the alarm topic, AWS Budgets its budget notifications. */
export const SNS_PUBLISH_ACTIONS = ['sns:Publish'] as const;

/**
 * AWS Budgets publishing to a topic encrypted with a customer-managed key: what any AWS service needs of the key
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
 */
export const BUDGETS_TOPIC_KEY_ACTIONS = CLOUDWATCH_TOPIC_KEY_ACTIONS;

/** Reading a secret's value, which is all a function that declares the secret needs (no DescribeSecret). */
export const SECRETS_READ_ACTIONS = ['secretsmanager:GetSecretValue'] as const;

/** Secrets Manager decrypting a secret under a customer-managed key on the caller's behalf. */
export const KMS_SECRET_DECRYPT_ACTIONS = ['kms:Decrypt'] as const;

/**
 * Sending to a queue: `sqs:SendMessage` also authorizes SendMessageBatch
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html).
 */
export const SQS_SEND_ACTIONS = ['sqs:SendMessage'] as const;

/**
 * What Lambda's event source mapping does with the worker's role to take a queue's messages (receive, delete the
 * processed ones, read the queue's attributes), and what a worker needs to extend a message's visibility
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html#events-sqs-permissions).
 */
export const SQS_CONSUME_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
] as const;

/**
 * Sending to a queue encrypted with a customer-managed key: SQS asks KMS for a data key and decrypts it
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
 */
export const KMS_QUEUE_SEND_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'] as const;

/** Receiving from a queue encrypted with a customer-managed key. */
export const KMS_QUEUE_RECEIVE_ACTIONS = ['kms:Decrypt'] as const;
