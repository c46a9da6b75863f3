import type { ValueSource } from '../types.js';

/** Where the body walkers put what they find. Implemented by the extractor's collector. */
export interface Sink {
  /**
   * Adds one value at a location (segments are copied when needed). `location`, when given, is
   * `formatLocation(segs)` or a function returning it, called only if the value is kept (walkers
   * build locations incrementally and only when needed).
   */
  add(
    segs: (string | number)[],
    value: string,
    source: ValueSource,
    onlyMask?: number,
    location?: string | (() => string),
    /** The raw scan of `value` (triggers.ts finishScan), when the walker computed it while reading it. */
    scan?: number,
  ): void;
  /** True once a limit (values or bytes) is reached: walkers stop. */
  full(): boolean;
  /** Records that nesting went deeper than the limit. */
  tooDeep(): void;
}
