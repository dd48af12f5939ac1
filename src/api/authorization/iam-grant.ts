import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { EXECUTE_API_INVOKE_ACTIONS } from '../../private/iam-actions';
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

/** What `InvokeGrants` reads of the API: its IAM-authorized routes, which grow as functions are added. */
export interface IamRoutes {
  readonly hasIamRoutes: boolean;
  iamRouteArns(): string[];
  iamRoutes(): IamRoute[];
}

/**
 * The grants of `ServerlessApi.grantInvoke()`: each grantee may call the IAM-authorized routes, those added later
 * included (the ARN list is lazy), with the wildcard findings of each acknowledged on it as routes are added.
 */
export class InvokeGrants {
  private readonly grantees: IConstruct[] = [];
  private checked = false;

  constructor(
    private readonly scope: IConstruct,
    private readonly api: IamRoutes,
  ) {}

  public grant(grantee: iam.IGrantable): iam.Grant {
    if (!this.checked) {
      this.checked = true;
      this.scope.node.addValidation({ validate: () => grantWithoutIamRoutes(this.api.hasIamRoutes) });
    }
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: [...EXECUTE_API_INVOKE_ACTIONS],
      resourceArns: this.api.iamRouteArns(),
    });
    const principal = grantee.grantPrincipal;
    if (grant.success && Construct.isConstruct(principal)) {
      this.grantees.push(principal);
      acknowledgeInvokeWildcards(principal, this.api.iamRoutes());
    }
    return grant;
  }

  /** Acknowledges, on every grantee so far, the findings of the routes `add` adds to the API. */
  public whileAdding(add: () => void): void {
    const granted = this.api.iamRoutes().length;
    add();
    const added = this.api.iamRoutes().slice(granted);
    this.grantees.forEach((principal) => acknowledgeInvokeWildcards(principal, added));
  }
}
