/** `decoupled reset`: the emulator back to its state right after start (the control API's /_emulator/reset). */
import type { CommandOutput, ProjectCommand } from './project-command';
import type { Project } from './project';

/** Resets without asking: only a local emulator has a reset, and its state is a throwaway by design. */
export async function resetEmulator(project: Project, out: CommandOutput): Promise<void> {
  const api = await project.requireEmulator('reset', 'there is no reset on AWS');
  await api.reset();
  out.print(`reset ${project.endpoint}: back to its state right after start`);
}

export const RESET: ProjectCommand = {
  name: 'reset',
  synopsis: 'reset',
  details: `Puts the local emulator back to its state right after start: with npm start, the app's stacks freshly
deployed again, with no messages, objects or metrics; a bare emulator is empty. It asks nothing: there is no reset
on AWS, so it can only ever reach a local emulator, whose state is meant to be thrown away.`,
  flags: {},
  positionals: [0, 0],
  localOnly: true,
  parse() {
    return (project, out) => resetEmulator(project, out);
  },
};
