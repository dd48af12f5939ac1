/**
 * CloudFormation's own template validation over one template: `@aws/cloudformation-validate`, the engine aws-cdk-lib
 * 2.262+ runs on every synth, with the resource provider schemas and the cfn-lint rules built in.
 */
import { createHash } from 'crypto';
import { CelEngine, Engine, StandardDiagnostic } from '@aws/cloudformation-validate';

/** One template to validate, as synth wrote it. */
export interface TemplateToValidate {
  /** Names the template in findings: the stack, and where it came from. */
  readonly name: string;
  /** The template's JSON text. */
  readonly body: string;
  /** The stack's region, when concrete: region-specific rules check against it (the engine assumes us-east-1). */
  readonly region?: string;
  /** The stack's account, when concrete. */
  readonly account?: string;
}

/** One diagnostic of the engine. */
export interface SchemaFinding {
  readonly ruleId: string;
  readonly severity: string;
  readonly logicalId?: string;
  readonly resourceType?: string;
  readonly propertyPath?: string;
  readonly message: string;
}

export interface SchemaResult {
  /**
   * `FATAL` and `ERROR` diagnostics (schema violations among them), values outside a property's allowed values, and an
   * analysis the engine could not finish.
   */
  readonly errors: SchemaFinding[];
  /** The other `WARN` diagnostics: reported, never failing. */
  readonly warnings: SchemaFinding[];
  /** Rules the engine evaluated. */
  readonly rulesEvaluated: number;
  readonly resources: number;
}

/** Validates one template; `validate` is the worker's shared validator inside jest, see `sharedSchemaValidator()`. */
export type SchemaValidate = (template: TemplateToValidate) => SchemaResult;

/**
 * Warnings the gate counts as errors. W3030, a value outside the values a property allows (an enum of the resource
 * schema), is a warning in cfn-lint because its lists can lag the service; CloudFormation refuses such a value, so
 * here it fails, and a value a new release allows would show up here first.
 */
const ERROR_WARNINGS = new Set(['W3030']);

let engine: Engine | undefined;
const results = new Map<string, SchemaResult>();

/**
 * Validates `template` with the engine this module loads on first use (about a second and 350 MB, once per process),
 * remembering the result of each distinct template: the suites synthesize the same stack many times over.
 */
export function validateTemplate(template: TemplateToValidate): SchemaResult {
  const key = createHash('sha256')
    .update(`${template.region ?? ''}\n${template.account ?? ''}\n${template.body}`)
    .digest('hex');
  let result = results.get(key);
  if (!result) {
    result = validate(template);
    results.set(key, result);
  }
  return result;
}

function validate(template: TemplateToValidate): SchemaResult {
  // The README of the engine: "RegoEngine and CelEngine ... produce identical diagnostics for the same template and
  // config"; the CEL engine does it in a quarter of the time here.
  engine ??= new CelEngine();
  const bytes = Buffer.from(template.body, 'utf-8');
  const report = engine.validateStandard(
    { path: template.name, readBytes: () => bytes },
    {
      severityLevel: 'WARN',
      pseudoParameterOverrides: {
        region: template.region,
        accountId: template.account,
        notificationArns: undefined,
        partition: undefined,
        stackId: undefined,
        stackName: undefined,
        urlSuffix: undefined,
      },
    },
  );
  const findings = report.diagnostics.map(finding);
  const errors = findings.filter(
    (f) => f.severity === 'FATAL' || f.severity === 'ERROR' || ERROR_WARNINGS.has(f.ruleId),
  );
  if (report.status !== 'OK') {
    errors.push({ ruleId: report.status, severity: 'ERROR', message: `the engine reported ${report.status}` });
  }
  return {
    errors,
    warnings: findings.filter((f) => f.severity === 'WARN' && !ERROR_WARNINGS.has(f.ruleId)),
    rulesEvaluated: report.metadata.rulesEvaluated,
    resources: report.metadata.resourcesScanned,
  };
}

function finding(d: StandardDiagnostic): SchemaFinding {
  return {
    ruleId: d.ruleId,
    severity: d.severity,
    logicalId: d.entity?.logicalId,
    resourceType: d.entity?.resourceType,
    propertyPath: d.propertyPath,
    message: d.message,
  };
}

/** `Resource (Type) Properties.X: [F3002] message`. */
export function formatSchemaFinding(f: SchemaFinding): string {
  const where = f.logicalId ? `${f.logicalId}${f.resourceType ? ` (${f.resourceType})` : ''}` : 'template';
  return `${where}${f.propertyPath ? ` ${f.propertyPath}` : ''}: [${f.ruleId}] ${f.message}`;
}

const SHARED = Symbol.for('cdk-serverless-api.conformance.validateTemplate');

/**
 * The validator of the jest worker, which the test environment keeps across test files so the engine loads once per
 * worker, not once per file; outside jest, this module's own.
 */
export function sharedSchemaValidator(): SchemaValidate {
  return ((globalThis as { [SHARED]?: SchemaValidate })[SHARED] ?? validateTemplate) as SchemaValidate;
}

/** Hands `validate` to the code of each test file (the test environment calls this on the file's global). */
export function shareSchemaValidator(global: object, validator: SchemaValidate): void {
  (global as { [SHARED]?: SchemaValidate })[SHARED] = validator;
}
