/** The request and verdict types of the local IAM evaluator. */

/** A request context value: single-valued keys are strings, multivalued keys (`dynamodb:LeadingKeys`) lists. */
export type ContextValue = string | readonly string[];

/** Request context keys by name; names are matched case-insensitively, as IAM does. */
export interface RequestContext {
  readonly [key: string]: ContextValue;
}

/** One authorization request: what IAM evaluates for one action on one resource. */
export interface IamRequest {
  /** `dynamodb:PutItem`. */
  readonly action: string;
  /** The resource ARN, or `*` for actions without resource-level permissions. */
  readonly resource: string;
  /** The caller: `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  readonly principalArn: string;
  readonly context: RequestContext;
}

/** How the identity policies decided one request, and which statement decided it. */
export interface IamVerdict {
  readonly decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  /**
   * The statement that allowed or denied; for an implicit deny, the closest statement (the one with the action
   * and resource whose condition failed), when there is one.
   */
  readonly statementIndex?: number;
  /** One sentence saying which statement decided, or why none allowed. */
  readonly reason: string;
}
