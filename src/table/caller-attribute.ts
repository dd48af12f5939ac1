/** Where a caller-bound key parameter takes its value from: the principal the API's authorizer verified. */
export enum CallerAttributeSource {
  /** The caller's id: a JWT's `sub`, a Lambda authorizer's `principalId`, an IAM caller's ARN. */
  ID = 'id',
  /** A claim of the caller's JWT (HTTP API JWT authorizer, REST Cognito authorizer). */
  CLAIM = 'claim',
  /** A field of the context a Lambda authorizer returned. */
  CONTEXT = 'context',
}

/**
 * A value of the verified caller that a partition key parameter is bound to (`AccessPattern.*({ callerBound })`).
 *
 * The function's handler never chooses the value: the runtime toolkit takes it from the principal the API's
 * authorizer verified, and reads and writes the pattern's items only with credentials whose session tag holds it,
 * so IAM itself keeps one caller out of another caller's partition.
 *
 * @example
 * AccessPattern.query({ partitionKey: 'USER#{userId}', sortKeyPrefix: 'SESSION#', callerBound: { userId: CallerAttribute.id() } })
 */
export class CallerAttribute {
  /** The caller's id: a JWT's `sub`, a Lambda authorizer's `principalId`, an IAM caller's ARN. */
  public static id(): CallerAttribute {
    return new CallerAttribute(CallerAttributeSource.ID);
  }

  /** A claim of the caller's verified JWT, such as `tenantId` or `custom:tenant`. */
  public static claim(name: string): CallerAttribute {
    return new CallerAttribute(CallerAttributeSource.CLAIM, name);
  }

  /** A field of the context the API's Lambda authorizer returned for the caller, such as `tenantId`. */
  public static context(name: string): CallerAttribute {
    return new CallerAttribute(CallerAttributeSource.CONTEXT, name);
  }

  /** Where the value comes from. */
  public readonly source: CallerAttributeSource;
  /** The claim or context field, for `CLAIM` and `CONTEXT`. */
  public readonly name?: string;

  private constructor(source: CallerAttributeSource, name?: string) {
    this.source = source;
    this.name = name;
  }

  /** How the summary and errors name it: `caller id`, `claim "tenantId"`, `authorizer context "tenantId"`. */
  public toString(): string {
    if (this.source === CallerAttributeSource.ID) return 'caller id';
    return this.source === CallerAttributeSource.CLAIM
      ? `claim ${JSON.stringify(this.name)}`
      : `authorizer context ${JSON.stringify(this.name)}`;
  }
}
