/**
 * How urgent an alarm is: a critical alarm rolls up into the API's composite alarm ("API unhealthy"), which pages; a
 * warning notifies the alarm topic on its own and rolls up into nothing.
 */
export enum AlarmSeverity {
  /** Part of the composite alarm: the API is failing its callers. */
  CRITICAL = 'critical',
  /** Notifies on its own: worth a look in working hours, not a page. */
  WARNING = 'warning',
}
