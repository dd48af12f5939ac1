import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { nagResource } from '../../private/nag-finding';

/** A route authorized with `ApiAuthorization.iam()`, as `ServerlessApi.grantInvoke()` grants it. */
export interface IamRoute {
  /** The route key, e.g. `GET /items/{itemId}`. */
  readonly key: string;
  /** The route's `execute-api` ARN on the API's stage: its method and path, each path parameter as `*`. */
  readonly arn: string;
}

/**
 * Acknowledges, on the principal `grantInvoke()` granted, the AwsSolutions-IAM5 finding of each route whose ARN has
 * a `*`: a path parameter or the ANY method, which IAM can match only with a wildcard. Each acknowledgement names one
 * route's ARN exactly, so nothing else the principal may do is covered.
 *
 * The id holds the ARN as cdk-nag renders it (`arn:<AWS::Partition>:execute-api:...`), with several `::`, which
 * aws-cdk-lib 2.257's `Validations.acknowledge()` refuses (it reserves `::` for a source prefix): the acknowledgement
 * is recorded under the metadata key `acknowledge()` itself writes and cdk-nag reads.
 */
export function acknowledgeInvokeWildcards(principal: IConstruct, routes: readonly IamRoute[]): void {
  const acknowledged: { [id: string]: string } = {};
  for (const route of routes) {
    const resource = nagResource(principal, route.arn);
    const wildcards = wildcardsOf(route.key);
    // A literal `*` in the path would widen the grant beyond the route: its finding is left to be seen.
    if (!resource.includes('*') || wildcards.length === 0) continue;
    acknowledged[`AwsSolutions-IAM5[Resource::${resource}]`] =
      `ServerlessApi.grantInvoke() lets this principal call ${route.key}, a route authorized with ApiAuthorization.iam(): ` +
      `the * in the route's execute-api ARN stands for ${wildcards.join(' and ')}, which IAM can match only with a ` +
      'wildcard; the ARN names this one route of this one API stage.';
  }
  if (Object.keys(acknowledged).length > 0) {
    principal.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, acknowledged);
  }
}

/** What the `*`s of a route's ARN stand for; none when a literal `*` of the path is among them. */
function wildcardsOf(routeKey: string): string[] {
  const [method, path] = routeKey.split(' ');
  if (path.replace(/\{[^}]*\}/g, '').includes('*')) return [];
  return [
    ...(method === 'ANY' ? ['any method'] : []),
    ...(path.includes('{') ? ['the values of the path parameters'] : []),
  ];
}

/** The error of `grantInvoke()` on an API that has no route authorized by `ApiAuthorization.iam()`, checked at synth. */
export function grantWithoutIamRoutes(hasIamRoutes: boolean): string[] {
  return hasIamRoutes
    ? []
    : [
        '`grantInvoke()` must be called on an API with a route authorized by ApiAuthorization.iam() (API-wide or per route), got: no such route',
      ];
}
