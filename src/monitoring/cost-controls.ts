import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { applyCostTag, CostTag } from './cost-allocation-tag';
import { ApiBudget, ApiBudgetProps } from './cost-budget';

/** The API's cost controls, as its model resolved them. */
export interface CostControls {
  /** The cost-allocation tag on every resource of the API; undefined when turned off. */
  readonly costTag?: CostTag;
  /** The budget over the tag, but for the alarm topic it notifies by default; undefined without `budget`. */
  readonly budget?: Omit<ApiBudgetProps, 'alarmTopic'>;
}

/**
 * Tags every resource under `scope` (those added later too) with the API's cost-allocation tag, and creates its budget
 * (`Budget`), which notifies `alarmTopic` unless it names its own topic.
 */
export function addCostControls(scope: Construct, controls: CostControls, alarmTopic?: sns.ITopic): void {
  applyCostTag(scope, controls.costTag);
  if (controls.budget) new ApiBudget(scope, 'Budget', { ...controls.budget, alarmTopic });
}
