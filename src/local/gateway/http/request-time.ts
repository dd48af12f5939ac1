/**
 * API Gateway's request time, `$context.requestTime` and `requestContext.time`: the Common Log Format date,
 * `12/Mar/2020:19:03:58 +0000`, always in UTC.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `epochMs` as `dd/Mon/yyyy:HH:mm:ss +0000`. */
export function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const date = `${twoDigits(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}`;
  const time = `${twoDigits(d.getUTCHours())}:${twoDigits(d.getUTCMinutes())}:${twoDigits(d.getUTCSeconds())}`;
  return `${date}:${time} +0000`;
}
