/** Now, in the unit DynamoDB TTL uses: whole seconds since the epoch. */
export function nowEpochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
