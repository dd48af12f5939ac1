import * as kms from 'aws-cdk-lib/aws-kms';

/** How the table's data is encrypted at rest. */
export enum TableEncryptionType {
  /** A key owned and managed by DynamoDB, at no charge. */
  AWS_OWNED = 'AWS_OWNED',
  /** The AWS managed key `aws/dynamodb` in the account. */
  AWS_MANAGED = 'AWS_MANAGED',
  /** A customer-managed KMS key: given, or created with key rotation on. */
  CUSTOMER_MANAGED = 'CUSTOMER_MANAGED',
}

/**
 * Encryption at rest for the API's table.
 *
 * @example
 * TableEncryption.customerManaged(); // a new key with rotation on
 */
export class TableEncryption {
  /** A key owned and managed by DynamoDB, at no charge. */
  public static awsOwned(): TableEncryption {
    return new TableEncryption(TableEncryptionType.AWS_OWNED);
  }

  /** The AWS managed key `aws/dynamodb` in the account (KMS charges apply). */
  public static awsManaged(): TableEncryption {
    return new TableEncryption(TableEncryptionType.AWS_MANAGED);
  }

  /**
   * A customer-managed KMS key, so key use shows in CloudTrail and access can be revoked.
   *
   * @param key the key to use; when omitted, a new key is created with rotation on and retained on delete
   */
  public static customerManaged(key?: kms.IKey): TableEncryption {
    return new TableEncryption(TableEncryptionType.CUSTOMER_MANAGED, key);
  }

  /** Which kind of key encrypts the table. */
  public readonly type: TableEncryptionType;
  /** The customer-managed key, when one was given. */
  public readonly key?: kms.IKey;

  private constructor(type: TableEncryptionType, key?: kms.IKey) {
    this.type = type;
    this.key = key;
  }
}
