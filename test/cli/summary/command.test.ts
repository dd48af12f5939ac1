import * as fs from 'fs';
import * as path from 'path';
import { Stack, Stage } from 'aws-cdk-lib';
import { ServerlessApi } from '../../../src';
import { CfnTemplate, formatSummary, StackSummary, summarizeTemplate } from '../../../src/cli/summary';
import { CostEstimate, estimateStack, formatCost, WhatIf } from '../../../src/cli/summary/cost';
import { US_EAST_1 } from '../../../src/cli/summary/cost/prices';
import { DEFAULT_TRAFFIC } from '../../../src/cli/summary/cost/traffic';
import { defaultProps } from '../../helpers/api';
import { REST_API_SNAPSHOT, removeTempDirs, runCli, synthesize, TASK_BOARD_SNAPSHOT, tempDir } from '../run';

afterAll(removeTempDirs);

const DEFAULT_COST_OPTIONS = {
  traffic: DEFAULT_TRAFFIC,
  trafficSource: 'the default traffic profile',
  prices: US_EAST_1,
  includeFreeTiers: false,
};

const SYNTH_FIRST = 'run `cdk synth` first, or pass the folder it writes to (cdk.out by default)';

function templateOf(assembly: string, file: string): CfnTemplate {
  return JSON.parse(fs.readFileSync(path.join(assembly, file), 'utf-8')) as CfnTemplate;
}

describe('serverless-api summary', () => {
  test('prints the summary `npx projen example` prints, for each stack but the integ-tests assertions', async () => {
    const { code, out, err } = await runCli(['summary', TASK_BOARD_SNAPSHOT]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const template = templateOf(TASK_BOARD_SNAPSHOT, 'TaskBoardIntegStack.template.json');
    const summary = summarizeTemplate(template, 'TaskBoardIntegStack');
    const { estimate, whatIf } = estimateStack(template, summary, DEFAULT_COST_OPTIONS);
    expect(out).toBe(`${formatSummary(summary)}\n${formatCost(estimate, whatIf).join('\n')}\n`);
    expect(out).toMatch(/^Stack TaskBoardIntegStack\n/);
    expect(out).not.toContain('DeployAssert');
  });

  test('reads cdk.out in the working directory by default', async () => {
    const project = tempDir('project');
    fs.cpSync(REST_API_SNAPSHOT, path.join(project, 'cdk.out'), { recursive: true });
    const { code, out } = await runCli(['summary'], project);
    expect(code).toBe(0);
    expect(out).toMatch(/^Stack RestApiIntegStack\n/);
  });

  test('prints StackSummary objects with --json, keeping what the text leaves out, each with its cost', async () => {
    const { code, out } = await runCli(['summary', TASK_BOARD_SNAPSHOT, '--json']);
    expect(code).toBe(0);
    const summaries = JSON.parse(out) as Array<StackSummary & { cost: CostEstimate & { whatIf: WhatIf[] } }>;
    expect(summaries.map((s) => s.stackName)).toEqual(['TaskBoardIntegStack']);
    const template = templateOf(TASK_BOARD_SNAPSHOT, 'TaskBoardIntegStack.template.json');
    const { cost, ...summary } = summaries[0];
    const expected = summarizeTemplate(template, 'TaskBoardIntegStack');
    expect(summary).toEqual(JSON.parse(JSON.stringify(expected)));
    const { estimate, whatIf } = estimateStack(template, expected, DEFAULT_COST_OPTIONS);
    expect(cost).toEqual(JSON.parse(JSON.stringify({ ...estimate, whatIf })));
  });

  describe('an app with Stages', () => {
    let dir: string;
    beforeAll(() => {
      dir = synthesize((app) => {
        new ServerlessApi(new Stack(app, 'Top'), 'Api', defaultProps());
        const prod = new Stage(app, 'Prod');
        new ServerlessApi(new Stack(prod, 'Service'), 'Api', defaultProps());
        new ServerlessApi(new Stack(new Stage(prod, 'Inner'), 'Deep'), 'Api', defaultProps());
      });
    });
    const stackLines = (out: string) => out.match(/^Stack .*$/gm);

    test('summarizes the stacks of nested assemblies too, named Stage/Stack', async () => {
      const { code, out } = await runCli(['summary', dir]);
      expect(code).toBe(0);
      expect(stackLines(out)).toEqual(['Stack Top', 'Stack Prod/Service', 'Stack Prod/Inner/Deep']);
    });

    test.each([
      ['its display name', 'Prod/Service'],
      ['its artifact id', 'ProdServiceC810982D'],
    ])('--stack selects one stack by %s', async (_, name) => {
      const { code, out } = await runCli(['summary', dir, '--stack', name]);
      expect(code).toBe(0);
      expect(stackLines(out)).toEqual(['Stack Prod/Service']);
    });

    test('--stack with an unknown name lists the names that would do', async () => {
      const { code, out, err } = await runCli(['summary', dir, '--stack', 'Service']);
      expect({ code, out, err }).toEqual({
        code: 1,
        out: '',
        err:
          `serverless-api: no stack "Service" in ${dir}: pass the name of one of its stacks: ` +
          'Top, Prod/Service, Prod/Inner/Deep\n',
      });
    });
  });

  describe('says what to do, in one line, exit code 1, when the assembly', () => {
    let dir: string;
    beforeEach(() => {
      dir = tempDir('broken');
    });
    const writeManifest = (artifacts: object) =>
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '53.0.0', artifacts }));

    async function expectError(args: string[], message: string) {
      const { code, out, err } = await runCli(['summary', ...args], dir);
      expect({ code, out, err }).toEqual({ code: 1, out: '', err: `serverless-api: ${message}\n` });
    }

    test('folder does not exist', async () => {
      await expectError([], `cloud assembly folder not found: ${path.join(dir, 'cdk.out')}: ${SYNTH_FIRST}`);
    });

    test('folder has no manifest', async () => {
      await expectError(['.'], `no cloud assembly in ${dir} (it has no manifest.json): ${SYNTH_FIRST}`);
    });

    test('manifest is cut short', async () => {
      fs.writeFileSync(path.join(dir, 'manifest.json'), '{"artifacts": {');
      await expectError(
        [dir],
        `cannot read the cloud assembly in ${dir} (${jsonError('{"artifacts": {')}): run \`cdk synth\` again`,
      );
    });

    test('lists a template that is missing', async () => {
      writeManifest({ Gone: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Gone.json' } } });
      await expectError([dir], `template of stack Gone not found: ${path.join(dir, 'Gone.json')}`);
    });

    test('lists a nested assembly that is missing', async () => {
      writeManifest({
        'assembly-Prod': { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Prod' } },
      });
      await expectError([dir], `cloud assembly directory not found: ${path.join(dir, 'assembly-Prod')}`);
    });

    test('has no stack', async () => {
      writeManifest({});
      await expectError([dir], `no CloudFormation stacks in ${dir}`);
    });
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${text} parsed`);
}
