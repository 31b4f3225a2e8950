/** The clock services read the time from; tests hand in a fixed one through the deps. */
export type Clock = () => Date;

const systemClock: Clock = () => new Date();

/** The clock in a service's deps, or the system clock when none is given. */
export function clockOf(deps: { now?: Clock }): Clock {
  return deps.now ?? systemClock;
}
