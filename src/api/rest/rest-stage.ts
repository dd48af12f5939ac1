import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { UsagePlanOptions } from './rest-options';
import { APIGATEWAY_ACCOUNT_LOGS_ACTIONS } from '../../private/iam-actions';
import { ThrottleOptions } from '../throttle';
import { resolveThrottle } from '../throttle-config';

/** The REST API's one stage. */
export const REST_STAGE_NAME = 'prod';

/** The log groups the account's API Gateway CloudWatch role writes: those of every API it serves. */
const ACCOUNT_ROLE_LOG_GROUPS = 'arn:*:logs:*:*:log-group:*';

/** The usage plans of the stage and their API keys, by name. */
export interface RestUsagePlans {
  readonly usagePlans: { [name: string]: apigateway.UsagePlan };
  readonly apiKeys: { [name: string]: apigateway.IApiKey };
}

/** The stage's usage plans, each with its API keys; a plan's throttle leaves out what the stage's gives. */
export function createUsagePlans(
  scope: Construct,
  api: apigateway.RestApi,
  apiName: string,
  plans: { [name: string]: UsagePlanOptions },
  stageThrottle: Required<ThrottleOptions>,
): RestUsagePlans {
  const result: RestUsagePlans = { usagePlans: {}, apiKeys: {} };
  const entries = Object.entries(plans);
  if (entries.length === 0) return result;
  const plansScope = new Construct(scope, 'UsagePlans');
  for (const [name, options] of entries) {
    const plan = new apigateway.UsagePlan(plansScope, name, {
      name: `${apiName}-${name}`,
      description: options.description,
      throttle: options.throttle ? resolveThrottle(options.throttle, stageThrottle) : undefined,
      quota: options.quota
        ? { limit: options.quota.limit, period: options.quota.period ?? apigateway.Period.DAY }
        : undefined,
      apiStages: [{ api, stage: api.deploymentStage }],
    });
    result.usagePlans[name] = plan;
    for (const keyName of options.apiKeys ?? []) {
      const key = new apigateway.ApiKey(plan, `ApiKey${keyName}`, { apiKeyName: `${apiName}-${keyName}` });
      plan.addApiKey(key);
      result.apiKeys[keyName] = key;
    }
  }
  return result;
}

/** API Gateway would create this group on first use, with logs kept forever. */
export function createExecutionLogGroup(
  scope: Construct,
  api: apigateway.RestApi,
  retention: logs.RetentionDays,
): logs.LogGroup {
  const group = new logs.LogGroup(scope, 'ExecutionLogs', {
    logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/${REST_STAGE_NAME}`,
    retention,
  });
  api.deploymentStage.node.addDependency(group);
  return group;
}

/**
 * The account's API Gateway CloudWatch role, retained with the setting on delete so other APIs keep
 * logging. It may write to any log group of the account and region: it serves every API there.
 */
export function setAccountCloudWatchRole(scope: Construct, stage: apigateway.Stage): void {
  const role = new iam.Role(scope, 'AccountCloudWatchRole', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    description: "API Gateway's account-wide role for writing REST APIs' access and execution logs",
    inlinePolicies: {
      logs: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            actions: [...APIGATEWAY_ACCOUNT_LOGS_ACTIONS],
            // Any region's and partition's log groups: the role may be set in several regions. Written without
            // tokens so that cdk-nag's finding can be acknowledged (aws-cdk-lib rejects "::" in its id).
            resources: [ACCOUNT_ROLE_LOG_GROUPS],
          }),
        ],
      }),
    },
  });
  role.applyRemovalPolicy(RemovalPolicy.RETAIN);
  const account = new apigateway.CfnAccount(scope, 'Account', { cloudWatchRoleArn: role.roleArn });
  account.applyRemovalPolicy(RemovalPolicy.RETAIN);
  stage.node.addDependency(account);
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${ACCOUNT_ROLE_LOG_GROUPS}]`,
    reason:
      "API Gateway's CloudWatch role is one per account and region and serves every API there, whose log groups this stack cannot know.",
  });
}

/** What the stage's cdk-nag findings depend on. */
export interface StageFindingFacts {
  readonly executionLogging: boolean;
  readonly webAcl: boolean;
  readonly tracing: boolean;
  /** Whether a route declared in the props asks API Gateway to validate requests. */
  readonly validatesRequests: boolean;
}

/** The stage's findings the API owner chose, each with its reason. */
export function acknowledgeStageFindings(api: apigateway.RestApi, facts: StageFindingFacts): void {
  const stage = api.deploymentStage.node.defaultChild!;
  if (!facts.executionLogging) {
    Validations.of(stage).acknowledge({
      id: 'AwsSolutions-APIG6',
      reason:
        "Execution logging needs the account-wide API Gateway CloudWatch role, which the library never sets behind the owner's back; the JSON access log is always on (opt in with `executionLogging`).",
    });
  }
  if (!facts.webAcl) {
    Validations.of(stage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'The API owner associates no AWS WAF web ACL (opt in with `webAclArn`); stage throttling protects the backend.',
    });
  }
  if (!facts.tracing) {
    Validations.of(stage).acknowledge({
      id: 'Serverless-APIGWXrayEnabled',
      reason: 'The API owner turned tracing off with `functionDefaults.tracing: false`.',
    });
  }
  // Decided from the declared routes, as cdk-nag may run before routes added with addFunction() exist.
  if (!facts.validatesRequests) {
    Validations.of(api.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'No route of the API declares a `requestModel` or `requiredParameters`: there is nothing for API Gateway to validate, and the functions validate their input.',
    });
  }
}
