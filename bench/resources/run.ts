/**
 * Resource figures of the queue layer against CloudFormation's 500 resources per stack
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html): what one queue with its
 * worker adds to an API, by resource type, and what 200 routes with 10 queue workers make, with the layouts that fit.
 * Synthesizes without bundling and with aws-cdk-lib's own resource limit lifted, so every size can be counted.
 *
 *   npx ts-node --transpile-only bench/resources/run.ts
 */
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessPattern, ApiAuthorization, ApiFunctionOptions, QueueOptions, ServerlessApi } from '../../src';

const ENTRY = path.join(__dirname, '..', '..', 'test', 'fixtures', 'handler.ts');
const LIMIT = 500;

type Counts = { [type: string]: number };

/** An HTTP API with `functions` functions serving `routes` routes between them, and `queues` queues with workers. */
function synth(functions: number, routes: number, queues: number, separateQueues = true): Counts {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:stackResourceLimit': 0 },
  });
  const stack = new Stack(app, 'Bench');
  const queueNames = Array.from({ length: queues }, (_, q) => `jobs${q}`);
  const fns: { [name: string]: ApiFunctionOptions } = {};
  for (let f = 0; f < functions; f++) {
    const count = Math.floor(routes / functions) + (f < routes % functions ? 1 : 0);
    fns[`fn${f}`] = {
      entry: ENTRY,
      accessPatterns: ['getThing', 'putThing'],
      // Every function may send to one queue: the sender side costs no resource.
      queues: queueNames.length ? [queueNames[f % queueNames.length]] : [],
      routes: Array.from({ length: count }, (_, r) => ({ method: HttpMethod.GET, path: `/fn${f}/things${r}/{id}` })),
    };
  }
  const queueOptions: { [name: string]: QueueOptions } = Object.fromEntries(
    queueNames.map((name) => [
      name,
      {
        worker: { entry: ENTRY, accessPatterns: ['getThing', 'putThing'] },
        ...(separateQueues
          ? {}
          : { alarms: { deadLetters: { enabled: false }, oldestMessageAge: { enabled: false } } }),
      },
    ]),
  );
  const key = { partitionKey: 'THING#{id}', sortKey: 'THING' };
  new ServerlessApi(stack, 'Api', {
    authorization: ApiAuthorization.jwt({ issuer: 'https://issuer.example.com', audience: ['bench'] }),
    accessPatterns: { getThing: AccessPattern.getItem(key), putThing: AccessPattern.putItem(key) },
    functions: fns,
    queues: queueOptions,
  });
  const template = app.synth().getStackByName(stack.stackName).template;
  const counts: Counts = {};
  for (const resource of Object.values<{ Type: string }>(template.Resources)) {
    counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  }
  return counts;
}

const total = (counts: Counts) => Object.values(counts).reduce((a, b) => a + b, 0);

function added(after: Counts, before: Counts): Counts {
  const diff: Counts = {};
  for (const type of Object.keys(after).sort()) {
    const n = after[type] - (before[type] ?? 0);
    if (n) diff[type] = n;
  }
  return diff;
}

function main(): void {
  const none = synth(1, 1, 0);
  const one = synth(1, 1, 1);
  const perQueue = added(one, none);
  const perQueueTotal = total(perQueue);
  console.log('## One queue with its worker, added to an API with one function and one route\n');
  console.log(`| resource type | added |\n|---|---:|`);
  for (const [type, n] of Object.entries(perQueue)) console.log(`| ${type} | ${n} |`);
  console.log(`| **total** | **${perQueueTotal}** |`);
  console.log(`\n(the API without queues: ${total(none)} resources; with one: ${total(one)})\n`);

  console.log(`## 200 routes and 10 queue workers against CloudFormation's ${LIMIT} resources\n`);
  console.log('| layout | resources | against the limit | queue workers that fit |\n|---|---:|---:|---:|');
  const layouts: [string, number, number][] = [
    ['200 routes over 50 functions (4 routes each)', 50, 200],
    ['200 routes over 40 functions (5 routes each)', 40, 200],
    ['200 routes over 25 functions (8 routes each)', 25, 200],
  ];
  for (const [label, functions, routes] of layouts) {
    const without = total(synth(functions, routes, 0));
    const withTen = total(synth(functions, routes, 10));
    const fits = Math.floor((LIMIT - without) / perQueueTotal);
    const margin = LIMIT - withTen;
    const against = margin >= 0 ? `${margin} to spare` : `${-margin} over`;
    console.log(`| ${label}, 10 workers | ${withTen} | ${against} | ${Math.max(0, fits)} |`);
  }
  const quiet = total(synth(50, 200, 10, false));
  console.log(
    `| 200 routes over 50 functions, 10 workers, queue alarms off | ${quiet} | ${quiet <= LIMIT ? `${LIMIT - quiet} to spare` : `${quiet - LIMIT} over`} | - |`,
  );
}

main();
