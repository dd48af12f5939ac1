/**
 * The errors the local SQS answers, as SQS sends them in its JSON protocol: `__type` names the exception, and the
 * `x-amzn-query-error` header carries the code the older query protocol used (`AWS.SimpleQueueService.NonExistentQueue;Sender`),
 * which the AWS SDK puts on the error as `Code`.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-faqs.html
 */

export class SqsError extends Error {
  constructor(
    /** The exception's name: `QueueDoesNotExist`, `InvalidParameterValue`... */
    public readonly code: string,
    message: string,
    /** The query protocol's code, when it differs from `code`. */
    public readonly queryCode: string = code,
    public readonly status = 400,
    /** `com.amazonaws.sqs` for SQS's own exceptions, `com.amazon.coral.service` for the common ones. */
    public readonly namespace = 'com.amazonaws.sqs',
  ) {
    super(message);
    this.name = code;
  }
}

export const queueDoesNotExist = () =>
  new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue');

export const invalidParameter = (message: string) => new SqsError('InvalidParameterValue', message);

export const missingParameter = (name: string) =>
  new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);

export const receiptHandleInvalid = (handle: string) =>
  new SqsError(
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
    'ReceiptHandleIsInvalid',
    404,
  );

export const messageNotInflight = () =>
  new SqsError('MessageNotInflight', 'The message is not in flight.', 'AWS.SimpleQueueService.MessageNotInflight');

export const accessDenied = (message: string) =>
  new SqsError('AccessDeniedException', message, 'AccessDenied', 400, 'com.amazon.coral.service');

export const kmsAccessDenied = (message: string) =>
  new SqsError('KmsAccessDenied', message, 'KMS.AccessDeniedException');

export const unrecognizedClient = () =>
  new SqsError(
    'UnrecognizedClientException',
    'The security token included in the request is invalid.',
    'InvalidClientTokenId',
    400,
    'com.amazon.coral.service',
  );
