import { PolicyValidationPluginReport } from 'aws-cdk-lib';
// eslint-disable-next-line import/no-extraneous-dependencies -- the check command loads the app's own cdk-nag
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** The cdk-nag packs every stack of this project must pass. */
export function nagPacks() {
  return [new AwsSolutionsChecks(), new ServerlessChecks()];
}

/**
 * Runs the packs over a construct tree. aws-cdk-lib 2.257 does not hand the construct tree to
 * validation plugins (`Validations.of(app).addPlugins()`), so the packs are run directly; they honor
 * `Validations.of(construct).acknowledge()` either way.
 */
export function runNag(scope: IConstruct): { pack: string; report: PolicyValidationPluginReport }[] {
  return nagPacks().map((pack) => ({ pack: pack.readPackName, report: pack.validateScope(scope) }));
}

/** One line per finding: rule, resource, and what the rule says. */
export function formatFindings(results: ReturnType<typeof runNag>): string[] {
  return results.flatMap(({ pack, report }) =>
    report.violations.flatMap((violation) =>
      violation.violatingResources.map(
        (resource) =>
          `${pack} ${violation.ruleName}: ${resource.resourceLogicalId ?? JSON.stringify(resource)} (${violation.description})`,
      ),
    ),
  );
}
