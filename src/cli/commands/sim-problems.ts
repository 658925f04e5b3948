/**
 * Reading the simulator's flags so that every problem is named at once (one exit 2 that
 * lists them all), shared by `sim` and `sim --gateway`: each parse is attempted, and a
 * bad flag adds its problems instead of stopping at the first.
 */
import { InputError } from '../../errors.js';
import { SimulatorConfigError } from '../../sim/config-error.js';

/** Runs `parse`; on a flag problem, adds it to `problems` and gives undefined. Other errors are bugs and pass on. */
export function problemCollector(problems: string[]): <T>(parse: () => T) => T | undefined {
  return <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (error instanceof InputError || error instanceof SimulatorConfigError) {
        problems.push(...error.problems);
        return undefined;
      }
      throw error;
    }
  };
}
