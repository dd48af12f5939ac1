import * as fs from 'fs';
import * as path from 'path';
import { removeTempDirs, runCli, TASK_BOARD_SNAPSHOT, tempDir } from '../../run';

afterAll(removeTempDirs);

/** Writes `content` as JSON into a fresh folder and returns its path. */
function jsonFile(name: string, content: unknown): string {
  const file = path.join(tempDir('cost'), name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** The estimate's line of a driver, its cells split on two or more spaces. */
function costLine(out: string, driver: string): string[] {
  const line = out.split('\n').find((l) => l.split(/ {2,}/)[2] === driver);
  if (line === undefined) throw new Error(`no cost line ${driver} in:\n${out}`);
  return line.trim().split(/ {2,}/);
}

function total(out: string): string {
  return /^ +TOTAL +(\$[\d,.]+)$/m.exec(out)![1];
}

// The integ snapshot has no construct paths in its template: the summary names resources by logical id.
const TASKS = 'ApiFunctionstasksFunctionE973E7DF';
const TABLE = 'ApiTableDB4CD73A';

describe('serverless-api summary: the monthly cost estimate of the task-board example', () => {
  test('states the default traffic profile and that free tiers are not deducted, then one line per driver', async () => {
    const { code, out, err } = await runCli(['summary', TASK_BOARD_SNAPSHOT]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toContain(
      '\nMonthly cost estimate (USD, us-east-1 prices of 2026-12-05; free tiers not deducted (they are per account))\n' +
        '  at the default traffic profile: 1M requests/month spread evenly over the routes, 2 KB payload, 100 ms per invocation',
    );
    expect(costLine(out, 'HTTP API task-board requests')).toEqual([
      'API Gateway',
      'HTTP API task-board requests',
      '1M requests',
      '$1.00',
    ]);
    expect(costLine(out, `function ${TASKS} duration`)).toEqual([
      'Lambda',
      `function ${TASKS} duration`,
      '22,222 GB-s (444,444 x 100 ms x 512 MB, arm64)',
      '$0.30',
    ]);
    expect(costLine(out, `table ${TABLE} point-in-time recovery`)).toEqual([
      'DynamoDB',
      `table ${TABLE} point-in-time recovery`,
      '1 GB-month',
      '$0.20',
    ]);
    expect(costLine(out, 'alarms, standard resolution')[3]).toBe('$3.40');
    expect(costLine(out, 'composite alarms')).toEqual(['CloudWatch', 'composite alarms', '1 alarm', '$0.50']);
    expect(costLine(out, 'dashboards')).toEqual([
      'CloudWatch',
      'dashboards',
      "1 dashboard (the account's first 3 are free)",
      '$3.00',
    ]);
    expect(costLine(out, 'log storage')[2]).toBe('0.30 GB-month compressed, retention 30 days');
    expect(costLine(out, 'customer managed keys')).toEqual(['KMS', 'customer managed keys', '1 key', '$1.00']);
    expect(costLine(out, 'secrets')).toEqual(['Secrets Manager', 'secrets', '1 secret', '$0.40']);
    expect(out).toMatch(
      /\n {2}SQS +standard queue ApiQueuesnotificationsQueue\w+ +533,333 requests \(64 KB each\) +\$0\.21\n/,
    );
    expect(total(out)).toBe('$17.60');
  });

  test('the what-if block: the other API type, half and double memory, the other billing mode', async () => {
    const { out } = await runCli(['summary', TASK_BOARD_SNAPSHOT]);
    const whatIf = out.slice(out.indexOf('What if (same traffic)')).split('\n');
    const row = (change: string) =>
      whatIf
        .find((l) => l.trim().startsWith(change))
        ?.trim()
        .split(/ {2,}/);
    expect(row('API task-board as a REST API instead of HTTP')).toEqual([
      'API task-board as a REST API instead of HTTP',
      '$1.00 -> $3.50',
      '+$2.50',
      'REST adds usage plans, API keys, caching and request validation',
    ]);
    expect(row(`function ${TASKS} at 256 MB instead of 512 MB`)?.slice(1)).toEqual([
      '$0.30 -> $0.15',
      '-$0.15',
      'same 100 ms duration (CPU scales with memory: CPU-bound code runs faster with more)',
    ]);
    expect(row(`function ${TASKS} at 1024 MB instead of 512 MB`)?.slice(1, 3)).toEqual(['$0.30 -> $0.59', '+$0.30']);
    expect(row(`table ${TABLE} provisioned (1 RCU, 1 WCU) instead of on-demand`)?.slice(1)).toEqual([
      '$0.40 -> $0.57',
      '+$0.17',
      'sized for 2x the average rate at 70% utilization',
    ]);
  });

  test('--requests scales the request-driven lines and keeps the fixed ones', async () => {
    const { code, out } = await runCli(['summary', TASK_BOARD_SNAPSHOT, '--requests', '10000000']);
    expect(code).toBe(0);
    expect(out).toContain('at the default traffic profile with --requests: 10M requests/month');
    expect(costLine(out, 'HTTP API task-board requests')[3]).toBe('$10.00');
    expect(costLine(out, 'dashboards')[3]).toBe('$3.00');
  });

  test('--traffic sets routes, functions and access patterns by name', async () => {
    const traffic = jsonFile('traffic.json', {
      requestsPerMonth: 2_000_000,
      routes: { 'GET /projects/{projectId}/tasks': { share: 0.5 } },
      functions: { [TASKS]: { durationMs: 200 } },
      accessPatterns: { listProjectTasks: { callsPerInvocation: 1, items: 20, itemKb: 2 } },
    });
    const { code, out, err } = await runCli(['summary', TASK_BOARD_SNAPSHOT, '--traffic', traffic]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toContain(`at the traffic profile ${traffic}: 2M requests/month (1 route set)`);
    // Half the requests on the list route, the other 7 routes share the rest: tasks serves 1M + 3 x 1M/8.
    expect(costLine(out, `function ${TASKS} duration`)[2]).toBe('137,500 GB-s (1,375,000 x 200 ms x 512 MB, arm64)');
  });

  test('--free-tier deducts the always-free allowances, one negative line each', async () => {
    const { out } = await runCli(['summary', TASK_BOARD_SNAPSHOT, '--free-tier']);
    expect(out).toContain('always-free tiers deducted (as if this app were alone in its account)');
    expect(costLine(out, 'free tier: 3 dashboards')).toEqual(['CloudWatch', 'free tier: 3 dashboards', '1', '-$3.00']);
    expect(costLine(out, 'free tier: 1M requests')[0]).toBe('Lambda');
  });

  test('--prices overrides the fields it names', async () => {
    const prices = jsonFile('prices.json', {
      region: 'eu-west-1',
      asOf: '2027-01-01',
      cloudwatchDashboard: 5,
      httpApiPerMillion: [[null, 2]],
    });
    const { code, out } = await runCli(['summary', TASK_BOARD_SNAPSHOT, '--prices', prices]);
    expect(code).toBe(0);
    expect(out).toContain('\nMonthly cost estimate (USD, eu-west-1 prices of 2027-01-01; ');
    expect(costLine(out, 'dashboards')[3]).toBe('$5.00');
    expect(costLine(out, 'HTTP API task-board requests')[3]).toBe('$2.00');
  });

  describe('refuses, in one line with the fix, exit code 1', () => {
    async function expectError(args: string[], message: string) {
      const { code, out, err } = await runCli(['summary', TASK_BOARD_SNAPSHOT, ...args]);
      expect({ code, out, err }).toEqual({ code: 1, out: '', err: `serverless-api: ${message}\n` });
    }

    test('a region without built-in prices', async () => {
      await expectError(
        ['--region', 'eu-west-1'],
        "--region eu-west-1: only us-east-1 prices are built in; leave --region out and give that region's prices " +
          'with --prices FILE (a JSON object of price-table fields, "region": "eu-west-1" among them)',
      );
    });

    test('--requests that is not a number', async () => {
      await expectError(['--requests', 'many'], '--requests must be a number of requests a month >= 0, got: many');
    });

    test('a traffic file that is not JSON', async () => {
      const file = jsonFile('bad.json', '{');
      await expectError(['--traffic', file], `--traffic ${file}: not JSON (${jsonError('{')})`);
    });

    test.each([
      [{ requestsPerMonth: -5 }, '`requestsPerMonth` must be a number >= 0, got: -5'],
      [{ durationMs: '100' }, '`durationMs` must be a number > 0, got: "100"'],
      [
        { requests: 5 },
        expect.stringMatching(/^`requests` is not a traffic field: use one of requestsPerMonth, routes, /),
      ],
      [{ routes: { 'GET /x': { share: 2 } } }, '`routes.GET /x.share` must be a number from 0 to 1, got: 2'],
      [
        { routes: { 'GET /x': { weight: 1 } } },
        '`routes.GET /x.weight` is not a traffic field: use one of requestsPerMonth, share, payloadKb',
      ],
      [{ routes: [] }, '`routes` must be an object keyed by name, got: []'],
      [
        { accessPatterns: { getTask: { consistency: 'strongly' } } },
        '`accessPatterns.getTask.consistency` must be one of eventual, strong, transactional, got: "strongly"',
      ],
      [
        { routes: { 'GET /sessions': { share: 0.7 }, 'POST /sessions': { share: 0.6 } } },
        '`routes.*.share` must add up to at most 1, got: 1.3: lower the shares',
      ],
      [[1], 'must be a JSON object of traffic fields, got: [1]'],
    ])('a traffic file with %j', async (content, message) => {
      const file = jsonFile('traffic.json', content);
      const { code, out, err } = await runCli(['summary', TASK_BOARD_SNAPSHOT, '--traffic', file]);
      expect({ code, out }).toEqual({ code: 1, out: '' });
      expect(err).toEqual(typeof message === 'string' ? `serverless-api: ${file}: ${message}\n` : expect.anything());
      if (typeof message !== 'string') expect(err.replace(`serverless-api: ${file}: `, '')).toEqual(message);
    });

    test('a traffic name that matches nothing in the stack, with the names that do', async () => {
      const file = jsonFile('traffic.json', { functions: { task: { durationMs: 50 } } });
      await expectError(
        ['--traffic', file],
        'traffic `functions.task` matches nothing in stack TaskBoardIntegStack: use one of ApiFunctionstasksFunctionE973E7DF, ApiFunctionssessionsFunction5EC34EEF, ApiFunctionswebhooksFunction2AE28B66, ApiWorkersnotificationsFunctionD890DCDF',
      );
    });

    test.each([
      [{ dashboard: 1 }, '`dashboard`: unknown price', /^unknown price `dashboard`: use one of region, asOf, /],
      [{ cloudwatchDashboard: -1 }, '`cloudwatchDashboard` must be a price in USD (a number >= 0), got: -1', undefined],
      [
        { httpApiPerMillion: [[100, 1]] },
        '`httpApiPerMillion` must be a list of [up to this many units a month, price] pairs with growing bounds and null for the last, got: [[100,1]]',
        undefined,
      ],
    ])('a prices file with %j', async (content, message, pattern) => {
      const file = jsonFile('prices.json', content);
      const { code, err } = await runCli(['summary', TASK_BOARD_SNAPSHOT, '--prices', file]);
      expect(code).toBe(1);
      if (pattern) expect(err.replace(`serverless-api: ${file}: `, '')).toMatch(pattern);
      else expect(err).toBe(`serverless-api: ${file}: ${message}\n`);
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
