/**
 * The one list of AWS Control Tower controls the library leaves failing on purpose, each on one kind of resource,
 * with the reason. The guard gate fails on any finding this list does not cover, and on an entry that no longer
 * covers any finding (test/conformance/guard.test.ts).
 */

/** A template as the guard gate reads it. */
export interface CfnTemplate {
  readonly Resources?: { readonly [logicalId: string]: { readonly Type: string; readonly Properties?: any } };
}

export interface GuardAcknowledgement {
  /** The Control Tower control, e.g. `CT.CLOUDWATCH.PR.1`. */
  readonly control: string;
  /** The kind of resource it is acknowledged on. */
  readonly resourceType: string;
  /** Why the library may leave the control failing there, and how an app makes it pass. */
  readonly reason: string;
  /** Only the resources the reason holds for; without it, every resource of `resourceType`. */
  readonly only?: {
    readonly description: string;
    matches(logicalId: string, template: CfnTemplate): boolean;
  };
}

export const GUARD_ACKNOWLEDGEMENTS: GuardAcknowledgement[] = [
  {
    control: 'CT.APIGATEWAY.PR.5',
    resourceType: 'AWS::ApiGatewayV2::Route',
    reason:
      'A route is public only where the app declares it with `authorization: ApiAuthorization.none()` (a webhook ' +
      'that checks its own signature, a health check); every other route carries an authorizer.',
    only: {
      description: 'routes with AuthorizationType NONE',
      matches: (id, template) => template.Resources?.[id]?.Properties?.AuthorizationType === 'NONE',
    },
  },
  {
    control: 'CT.APIGATEWAY.PR.1',
    resourceType: 'AWS::ApiGateway::Stage',
    reason:
      'The stage always writes an access log of every request; execution logging, which the control asks for, ' +
      'logs again per request at a cost and is opt-in: `executionLogging: {}` turns it on and the control passes.',
  },
  {
    control: 'CT.CLOUDWATCH.PR.1',
    resourceType: 'AWS::CloudWatch::Alarm',
    reason:
      "These alarms are the signals the API's composite alarm rolls up, and the composite alarm runs the actions, " +
      'so an incident pages once rather than once per signal. With `alarms.compositeAlarm: false` every alarm ' +
      'runs the actions itself and the control passes.',
    only: {
      description: "alarms a composite alarm's rule in the same template names",
      matches: (id, template) =>
        Object.values(template.Resources ?? {}).some(
          (r) =>
            r.Type === 'AWS::CloudWatch::CompositeAlarm' && JSON.stringify(r.Properties?.AlarmRule).includes(`"${id}"`),
        ),
    },
  },
  {
    control: 'CT.CLOUDWATCH.PR.2',
    resourceType: 'AWS::Logs::LogGroup',
    reason:
      'Logs are kept for `logRetention`, one month by default: bounded, and priced for debugging an API rather than ' +
      'for a year of audit trail. `logRetention: logs.RetentionDays.ONE_YEAR` or longer makes the control pass.',
  },
  {
    control: 'CT.CLOUDWATCH.PR.3',
    resourceType: 'AWS::Logs::LogGroup',
    reason:
      'CloudWatch Logs encrypts every log group at rest with keys it manages; the library offers no ' +
      'customer-managed key for its log groups.',
  },
  {
    control: 'CT.SQS.PR.1',
    resourceType: 'AWS::SQS::Queue',
    reason:
      "A dead-letter queue is where a queue's failed messages end: it needs no dead-letter queue of its own, keeps " +
      "messages 14 days (SQS's longest), and an alarm fires as soon as it holds one. Every queue of work has one.",
    only: {
      description: "queues another queue's redrive policy in the same template names as its dead-letter queue",
      matches: (id, template) =>
        Object.values(template.Resources ?? {}).some(
          (r) =>
            r.Type === 'AWS::SQS::Queue' &&
            JSON.stringify(r.Properties?.RedrivePolicy?.deadLetterTargetArn ?? null).includes(`"${id}"`),
        ),
    },
  },
  {
    control: 'CT.LAMBDA.PR.3',
    resourceType: 'AWS::Lambda::Function',
    reason:
      'The functions call AWS service endpoints only (DynamoDB, CloudWatch, X-Ray and the others the app grants), ' +
      'with signed TLS requests, and reach nothing inside a VPC; in one they would need NAT gateways or interface ' +
      'endpoints to reach the same services. The library offers no VPC placement.',
  },
  {
    control: 'CT.SQS.PR.1',
    resourceType: 'AWS::SQS::Queue',
    reason:
      "The dead-letter queue of an event or stream worker is where the worker's failed events end: it needs no " +
      "dead-letter queue of its own, keeps messages 14 days (SQS's longest), and an alarm fires as soon as it holds one.",
    only: {
      description:
        "queues an event rule target's dead-letter config, or an on-failure destination of Lambda, in the same template names",
      matches: (id, template) =>
        Object.values(template.Resources ?? {}).some((r) => {
          const names = (value: unknown) => JSON.stringify(value ?? null).includes(`"${id}"`);
          if (r.Type === 'AWS::Events::Rule') {
            return (r.Properties?.Targets ?? []).some((t: any) => names(t.DeadLetterConfig?.Arn));
          }
          return (
            ['AWS::Lambda::EventInvokeConfig', 'AWS::Lambda::EventSourceMapping'].includes(r.Type) &&
            names(r.Properties?.DestinationConfig?.OnFailure?.Destination)
          );
        }),
    },
  },
];

/** The acknowledgement that covers `control` failing on the resource `logicalId` of `template`, if any. */
export function acknowledgementOf(
  control: string,
  logicalId: string,
  template: CfnTemplate,
  acknowledgements: GuardAcknowledgement[] = GUARD_ACKNOWLEDGEMENTS,
): GuardAcknowledgement | undefined {
  const type = template.Resources?.[logicalId]?.Type;
  return acknowledgements.find(
    (a) => a.control === control && a.resourceType === type && (a.only?.matches(logicalId, template) ?? true),
  );
}
