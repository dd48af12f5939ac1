/** Shapes the local SQS API's parts share. Types only. */
import type { ServiceCaller } from '../iam/service-authorizer';

/** A request's or an answer's JSON object. */
export type Input = { readonly [key: string]: unknown };

/** Who sends: a function (its caller record), or the admin (the account itself). */
export type Sender = { readonly caller?: ServiceCaller; readonly senderId: string };
