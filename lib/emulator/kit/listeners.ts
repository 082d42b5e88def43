/** Listeners of a service's events (activity, scaling): one that throws is logged and never fails the operation. */
export class Listeners<E> {
  private readonly set = new Set<(event: E) => void>();

  /** @param what names the listeners in the log line, e.g. `activity`. */
  constructor(private readonly what: string) {}

  /** Whether anyone listens; callers check this before building an event. */
  get active(): boolean {
    return this.set.size > 0;
  }

  /** Adds a listener; returns the function that removes it. */
  add(listener: (event: E) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(event: E): void {
    for (const listener of this.set) {
      try {
        listener(event);
      } catch (error) {
        // a listener's bug must not fail the AWS operation that caused the event
        console.error(`emulator: ${this.what} listener failed`, error);
      }
    }
  }
}
