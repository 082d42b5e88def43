/** `decoupled clock [advance DURATION]`: the emulator's clock, read or moved (the control API's /_emulator/clock). */
import type { EmulatorClock } from './control-api';
import { type CommandOutput, type ProjectCommand, ProjectUsageError } from './project-command';
import type { Project } from './project';

/** One line: `manual clock at 2026-11-30T10:00:00.000Z`, `fast clock (×60) at …`. */
export function describeClock(clock: EmulatorClock): string {
  return `${clock.mode} clock${clock.mode === 'fast' ? ` (×${clock.factor})` : ''} at ${clock.now}`;
}

/** Prints the clock; with a duration, advances it first (every timer due on the way fires). */
export async function emulatorClock(
  project: Project,
  advance: string | undefined,
  out: CommandOutput,
): Promise<EmulatorClock> {
  const api = await project.requireEmulator('clock', 'AWS time cannot be moved');
  if (advance === undefined) {
    const clock = await api.clock();
    out.print(describeClock(clock));
    return clock;
  }
  const before = await api.clock();
  const clock = await api.advanceClock(advance);
  out.print(`advanced ${advance}: ${describeClock(clock)} (was ${before.now})`);
  return clock;
}

export const CLOCK: ProjectCommand = {
  name: 'clock',
  synopsis: 'clock [advance DURATION]',
  details: `Prints the local emulator's clock (real, manual or fast:N, see npm start's --clock), or moves it forward:
every timer due on the way fires in order (visibility timeouts, delays, retries, alarms, scaling).

  advance DURATION   e.g. 500ms, 30s, 10m, 1h, 2d or 1h30m; refused with --clock real (ClockNotMovable)`,
  flags: {},
  positionals: [0, 2],
  localOnly: true,
  parse(line) {
    const [verb, duration] = line.positionals;
    if (verb !== undefined && verb !== 'advance') {
      throw new ProjectUsageError(`unknown clock command '${verb}' (clock, or clock advance DURATION)`);
    }
    if (verb === 'advance' && duration === undefined)
      throw new ProjectUsageError('clock advance needs a DURATION');
    return async (project, out) => {
      await emulatorClock(project, duration, out);
    };
  },
};
