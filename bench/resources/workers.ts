/**
 * Resource figures of event and stream workers against CloudFormation's 500 resources per stack
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html): what one event worker
 * and one stream worker add to an API, by resource type, what publishing costs, and how many workers fit beside 200
 * routes. Synthesizes without bundling and with aws-cdk-lib's own resource limit lifted, so every size can be counted.
 *
 *   npx ts-node --transpile-only bench/resources/workers.ts
 */
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AccessPattern,
  ApiAuthorization,
  ApiEventBus,
  ApiFunctionOptions,
  EventWorkerOptions,
  ServerlessApi,
  StreamWorkerOptions,
} from '../../src';

const ENTRY = path.join(__dirname, '..', '..', 'test', 'fixtures', 'handler.ts');
const LIMIT = 500;

type Counts = { [type: string]: number };

interface Layout {
  readonly functions: number;
  readonly routes: number;
  readonly eventWorkers?: number;
  readonly streamWorkers?: number;
  /** Whether every route function publishes an event. */
  readonly publish?: boolean;
  /** Whether the API creates its bus (with an archive) rather than use the default bus. */
  readonly createBus?: boolean;
}

/** An HTTP API with `functions` functions serving `routes` routes between them, and its event and stream workers. */
function synth(layout: Layout): Counts {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, 'Bench');
  const fns: { [name: string]: ApiFunctionOptions } = {};
  for (let f = 0; f < layout.functions; f++) {
    const count = Math.floor(layout.routes / layout.functions) + (f < layout.routes % layout.functions ? 1 : 0);
    fns[`fn${f}`] = {
      entry: ENTRY,
      accessPatterns: ['getThing', 'putThing'],
      publishes: layout.publish ? [{ source: 'com.example.things', detailTypes: [`Thing${f}Changed`] }] : undefined,
      routes: Array.from({ length: count }, (_, r) => ({ method: HttpMethod.GET, path: `/fn${f}/things${r}/{id}` })),
    };
  }
  const eventWorkers: { [name: string]: EventWorkerOptions } = {};
  for (let w = 0; w < (layout.eventWorkers ?? 0); w++) {
    eventWorkers[`onThing${w}`] = { entry: ENTRY, sources: ['com.example.things'], accessPatterns: ['putThing'] };
  }
  const streamWorkers: { [name: string]: StreamWorkerOptions } = {};
  for (let w = 0; w < (layout.streamWorkers ?? 0); w++) streamWorkers[`changes${w}`] = { entry: ENTRY };
  const key = { partitionKey: 'THING#{id}', sortKey: 'THING' };
  new ServerlessApi(stack, 'Api', {
    authorization: ApiAuthorization.jwt({ issuer: 'https://issuer.example.com', audience: ['bench'] }),
    accessPatterns: { getThing: AccessPattern.getItem(key), putThing: AccessPattern.putItem(key) },
    functions: fns,
    events: {
      ...(layout.createBus ? { bus: ApiEventBus.create() } : {}),
      workers: eventWorkers,
    },
    ...(layout.streamWorkers ? { tableStream: { workers: streamWorkers } } : {}),
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

function table(title: string, diff: Counts): number {
  console.log(`## ${title}\n`);
  console.log('| resource type | added |\n|---|---:|');
  for (const [type, n] of Object.entries(diff)) console.log(`| ${type} | ${n} |`);
  const sum = total(diff);
  console.log(`| **total** | **${sum}** |\n`);
  return sum;
}

function main(): void {
  const none = synth({ functions: 1, routes: 1 });
  console.log(`(the API with one function and one route: ${total(none)} resources)\n`);
  const perEventWorker = table(
    'One event worker on the default bus, added to that API',
    added(synth({ functions: 1, routes: 1, eventWorkers: 1 }), none),
  );
  table(
    'A second event worker (per event worker beyond the first)',
    added(synth({ functions: 1, routes: 1, eventWorkers: 2 }), synth({ functions: 1, routes: 1, eventWorkers: 1 })),
  );
  table(
    'A bus the API creates, instead of the default bus',
    added(synth({ functions: 1, routes: 1, createBus: true }), none),
  );
  table('Every route function publishing', added(synth({ functions: 1, routes: 1, publish: true }), none));
  const perStreamWorker = table(
    'One stream worker, added to that API (the table gets its stream in place)',
    added(synth({ functions: 1, routes: 1, streamWorkers: 1 }), none),
  );

  console.log(`## 200 routes with event and stream workers against CloudFormation's ${LIMIT} resources\n`);
  console.log('| layout | resources | against the limit | event workers that fit | stream workers that fit |');
  console.log('|---|---:|---:|---:|---:|');
  const layouts: [string, number][] = [
    ['200 routes over 50 functions (4 routes each)', 50],
    ['200 routes over 40 functions (5 routes each)', 40],
    ['200 routes over 25 functions (8 routes each)', 25],
  ];
  for (const [label, functions] of layouts) {
    const without = total(synth({ functions, routes: 200 }));
    const withWorkers = total(synth({ functions, routes: 200, eventWorkers: 5, streamWorkers: 2, publish: true }));
    const margin = LIMIT - withWorkers;
    const against = margin >= 0 ? `${margin} to spare` : `${-margin} over`;
    const fit = (per: number) => Math.max(0, Math.floor((LIMIT - without) / per));
    console.log(
      `| ${label}, all publishing, 5 event and 2 stream workers | ${withWorkers} | ${against} | ${fit(perEventWorker)} | ${fit(perStreamWorker)} |`,
    );
  }
}

main();
