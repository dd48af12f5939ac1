/**
 * The template gate every suite runs under (jest `setupFilesAfterEnv`): each template an app synthesizes in a test,
 * through `Template.fromStack()`, `app.synth()` or anything else that calls `Stage.synth()`, must pass CloudFormation's
 * own validation with no error. The templates are validated after each test, and the test fails with their errors.
 */
import * as fs from 'fs';
import { Stage } from 'aws-cdk-lib';
import { formatSchemaFinding, sharedSchemaValidator, TemplateToValidate } from './schema';

type CloudAssembly = ReturnType<Stage['synth']>;

// aws-cdk-lib 2.262+ runs the same engine on every synth (only warning, by default), loading it again in each test
// file: this gate, stricter and loaded once per worker, takes its place in the tests.
process.env.CDK_VALIDATION = 'false';

const synthesized: TemplateToValidate[] = [];
const seen = new WeakSet<CloudAssembly>();
let exemption: string | undefined;

const synth = Stage.prototype.synth;
Stage.prototype.synth = function synthAndCollect(this: Stage, ...args: Parameters<Stage['synth']>) {
  const assembly = synth.apply(this, args);
  // A stage hands back the same assembly until the tree changes: collect it once.
  if (!seen.has(assembly)) {
    seen.add(assembly);
    for (const stack of assembly.stacksRecursively) {
      // Read now: a test may delete its output folder before the check runs.
      const body = fs.readFileSync(stack.templateFullPath, 'utf-8');
      // A nested stage's stacks come again with its parent's assembly.
      if (synthesized.some((t) => t.name === stack.hierarchicalId && t.body === body)) continue;
      const concrete = (value: string) => (value.startsWith('unknown-') ? undefined : value);
      synthesized.push({
        name: stack.hierarchicalId,
        body,
        region: concrete(stack.environment.region),
        account: concrete(stack.environment.account),
      });
    }
    // Nested stacks are no artifacts of their own: their templates are files of the assembly (assets of the parent).
    const directory = assembly.directory;
    for (const file of fs.readdirSync(directory).filter((name) => name.endsWith('.nested.template.json'))) {
      const body = fs.readFileSync(`${directory}/${file}`, 'utf-8');
      if (synthesized.some((t) => t.name === file && t.body === body)) continue;
      synthesized.push({ name: file, body, region: undefined, account: undefined });
    }
  }
  return assembly;
};

/**
 * Lets the current test synthesize templates that CloudFormation would reject, because that is what it tests; the
 * reason says why. Only for the rest of the current test.
 */
export function acceptInvalidTemplates(reason: string): void {
  if (reason.trim().length === 0) throw new Error('acceptInvalidTemplates() needs the reason the test may do it');
  exemption = reason;
}

/**
 * Validates the templates synthesized since the last call (the gate calls it after each test) and forgets them:
 * one line per error, `<stack>: <resource> (<type>) <property>: [<rule>] <message>`.
 */
export function synthesizedTemplateErrors(): string[] {
  const templates = synthesized.splice(0);
  const exempt = exemption;
  exemption = undefined;
  if (exempt !== undefined) return [];
  const validate = sharedSchemaValidator();
  return templates.flatMap((template) =>
    validate(template).errors.map((error) => `${template.name}: ${formatSchemaFinding(error)}`),
  );
}

/**
 * Checks what was synthesized so far, now: for a suite that synthesizes in `beforeAll` and then serves requests, so
 * that the validation (a second or more of CPU on a first run) does not stall the event loop between two requests of
 * its tests, where a kept-alive connection could be closed under a request.
 */
export function checkSynthesized(): void {
  const errors = synthesizedTemplateErrors();
  if (errors.length > 0) {
    throw new Error(
      `CloudFormation template validation found ${errors.length} error(s) in what this test synthesized (fix the ` +
        `template, or call acceptInvalidTemplates(reason) in a test that means to):\n${errors.map((e) => `  ${e}`).join('\n')}`,
    );
  }
}

afterEach(checkSynthesized);
// Templates synthesized outside a test (in `beforeAll`, or in a file's body) are checked once the file is done.
afterAll(checkSynthesized);
