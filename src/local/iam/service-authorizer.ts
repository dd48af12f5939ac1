/**
 * The authorizer of the local SQS and EventBridge: each request a function signs is turned by the service into the
 * IAM requests AWS evaluates for it (an action on a resource, with the service's condition keys) and evaluated against
 * that function's role statements; the first one denied refuses the whole call, as these services do. The pollers,
 * destinations and targets Lambda runs with a function's execution role are held to the same statements.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import type { LocalAppModel, LocalFunctionModel } from '../model';
import { evaluateIdentityPolicy } from './evaluate';
import { localRoleId, sessionContext } from './session-context';
import { accessDeniedMessage, functionPrincipal } from './table-authorizer';
import type { RequestContext } from './types';

/** One action on one resource, with the service's own condition keys. */
export interface ServiceRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
}

/** The function behind a signed request. */
export interface ServiceCaller {
  readonly fn: LocalFunctionModel;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<function name>`. */
  readonly principalArn: string;
  /** What SQS records as the sender: `<role id>:<session name>`. */
  readonly senderId: string;
}

export type ServiceDecision =
  | { readonly allowed: true; readonly caller: ServiceCaller }
  | {
      readonly allowed: false;
      /** `AccessDenied`: IAM refused; `UnrecognizedClient`: the key belongs to no function. */
      readonly errorType: 'AccessDenied' | 'UnrecognizedClient';
      /** The request IAM refused (absent for an unknown key). */
      readonly request?: ServiceRequest;
      /** IAM's message: `User: <session> is not authorized to perform: <action> on resource: <arn> because ...`. */
      readonly message: string;
      /** Which statement was missing, for the `DENIED` log line. */
      readonly reason: string;
    };

export interface ServiceAuthorizer {
  /** The function that signs with this access key id. */
  caller(accessKeyId: string): ServiceCaller | undefined;
  /** Evaluates the requests of one call signed with `accessKeyId`. */
  authorize(accessKeyId: string, requests: readonly ServiceRequest[]): ServiceDecision;
  /** Evaluates requests Lambda makes with a function's execution role (pollers, destinations). */
  authorizeFunction(functionId: string, requests: readonly ServiceRequest[]): ServiceDecision;
}

/**
 * `identities` maps each access key id to the logical id of the function that signs with it.
 */
export function createServiceAuthorizer(
  app: LocalAppModel,
  identities: ReadonlyMap<string, string>,
): ServiceAuthorizer {
  const callers = new Map<string, ServiceCaller>();
  const callerOf = (fn: LocalFunctionModel): ServiceCaller => {
    let caller = callers.get(fn.logicalId);
    if (!caller) {
      const principal = functionPrincipal(app, fn);
      caller = {
        fn,
        principalArn: principal.arn,
        senderId: `${localRoleId(fn.role.arn)}:${fn.functionName}`,
      };
      callers.set(fn.logicalId, caller);
    }
    return caller;
  };
  const decide = (fn: LocalFunctionModel, requests: readonly ServiceRequest[]): ServiceDecision => {
    const caller = callerOf(fn);
    const session = sessionContext(functionPrincipal(app, fn));
    for (const request of requests) {
      const verdict = evaluateIdentityPolicy(fn.role.statements, {
        action: request.action,
        resource: request.resource,
        principalArn: caller.principalArn,
        context: { ...session, ...request.context },
      });
      if (verdict.decision === 'Allow') continue;
      const explicit = verdict.decision === 'ExplicitDeny';
      return {
        allowed: false,
        errorType: 'AccessDenied',
        request,
        message: accessDeniedMessage(caller.principalArn, serviceSpelling(request.action), request.resource, explicit),
        reason: `function ${fn.name} (${fn.logicalId}, role ${fn.role.logicalId}): ${verdict.reason}`,
      };
    }
    return { allowed: true, caller };
  };
  const functionOf = (accessKeyId: string) => {
    const id = identities.get(accessKeyId);
    return id === undefined ? undefined : app.functions[id];
  };
  return {
    caller: (accessKeyId) => {
      const fn = functionOf(accessKeyId);
      return fn && callerOf(fn);
    },
    authorize(accessKeyId, requests) {
      const fn = functionOf(accessKeyId);
      if (!fn) {
        return {
          allowed: false,
          errorType: 'UnrecognizedClient',
          message: 'The security token included in the request is invalid.',
          reason: `access key id ${JSON.stringify(accessKeyId)} belongs to no function of ${app.stackName}: sign with the credentials the local API gives the function`,
        };
      }
      return decide(fn, requests);
    },
    authorizeFunction(functionId, requests) {
      const fn = app.functions[functionId];
      if (!fn) throw new Error(`no function ${functionId} in ${app.stackName}`);
      return decide(fn, requests);
    },
  };
}

/** SQS writes the action of its denials in lower case (`sqs:sendmessage`); other services as IAM names it. */
function serviceSpelling(action: string): string {
  return action.startsWith('sqs:') ? action.toLowerCase() : action;
}
