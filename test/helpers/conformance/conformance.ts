/**
 * Both checks over a set of synthesized templates, with the figures per template: CloudFormation's validation (errors,
 * warnings) and the Control Tower guard rules (applicable, passed, failed, acknowledged, not applicable).
 */
import { acknowledgementOf, CfnTemplate, GuardAcknowledgement, GUARD_ACKNOWLEDGEMENTS } from './acknowledgements';
import { runGuard } from './guard';
import { SchemaResult, SchemaValidate, TemplateToValidate } from './schema';

/** A template synth wrote, named for the figures. */
export interface TemplateUnderCheck extends TemplateToValidate {
  /** The file synth wrote: cfn-guard reads templates from files. */
  readonly templatePath: string;
}

/** One resource a control failed on. */
export interface GuardFinding {
  readonly control: string;
  readonly rule: string;
  readonly description: string;
  readonly logicalId: string;
  readonly resourceType: string;
  /** The entry of the acknowledgement list that covers it, if one does. */
  readonly acknowledgement?: GuardAcknowledgement;
}

export interface TemplateConformance {
  readonly name: string;
  readonly resources: number;
  readonly schema: SchemaResult;
  /** Guard rules that applied to the template. */
  readonly rulesApplicable: number;
  readonly rulesPassed: number;
  /** The names of the rules that passed. */
  readonly passedRules: string[];
  /** Rules that failed on a resource no acknowledgement covers. */
  readonly rulesFailed: number;
  /** Rules that failed only on resources acknowledgements cover. */
  readonly rulesAcknowledged: number;
  readonly rulesNotApplicable: number;
  readonly findings: GuardFinding[];
}

/** Runs both checks over `templates` (cfn-guard once for all of them). */
export function checkConformance(
  templates: TemplateUnderCheck[],
  validate: SchemaValidate,
  acknowledgements: GuardAcknowledgement[] = GUARD_ACKNOWLEDGEMENTS,
): TemplateConformance[] {
  const reports = runGuard(templates.map((t) => t.templatePath));
  return templates.map((template, i) => {
    const cfn = JSON.parse(template.body) as CfnTemplate;
    const report = reports[i];
    const findings = report.failed.flatMap((failure) =>
      (failure.logicalIds.length > 0 ? failure.logicalIds : ['(template)']).map((logicalId): GuardFinding => ({
        control: failure.control,
        rule: failure.rule,
        description: failure.description,
        logicalId,
        resourceType: cfn.Resources?.[logicalId]?.Type ?? '(none)',
        acknowledgement: acknowledgementOf(failure.control, logicalId, cfn, acknowledgements),
      })),
    );
    const failedRules = new Set(findings.filter((f) => !f.acknowledgement).map((f) => f.rule));
    return {
      name: template.name,
      resources: Object.keys(cfn.Resources ?? {}).length,
      schema: validate(template),
      rulesApplicable: report.passed.length + report.failed.length,
      rulesPassed: report.passed.length,
      passedRules: report.passed,
      rulesFailed: failedRules.size,
      rulesAcknowledged: report.failed.length - failedRules.size,
      rulesNotApplicable: report.notApplicable.length,
      findings,
    };
  });
}

/** `CT.X.PR.n (rule) on LogicalId (Type): what the control requires`, for the findings no acknowledgement covers. */
export function unacknowledgedFindings(conformance: TemplateConformance): string[] {
  return conformance.findings
    .filter((f) => !f.acknowledgement)
    .map((f) => `${f.control} (${f.rule}) on ${f.logicalId} (${f.resourceType}): ${f.description}`);
}
