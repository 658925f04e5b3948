/**
 * The simulator's own "bad settings" error. The simulator core does not import the
 * CLI's InputError (it shares no code with the rest of the tool); the `sim`
 * command turns this into an InputError, exit 2.
 */
export class SimulatorConfigError extends Error {
  /** Each problem names the setting, what is wrong, and a valid example. */
  readonly problems: string[];
  constructor(problems: string[] | string) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.join('\n'));
    this.name = 'SimulatorConfigError';
    this.problems = list;
  }
}
